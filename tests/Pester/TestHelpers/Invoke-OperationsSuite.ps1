<#
.SYNOPSIS
    Runs the operations suite (tests/Pester/Operations) against the local fake ARM and writes every test's outcome.

.DESCRIPTION
    CI's way to run the suite users copy: the stand-in Az sign-in (FakeAzContext.ps1, from the AZDOCKERVM_FAKEARM_*
    variables) is set up first, then Pester 5 (the newest 5.x on $env:PSModulePath) runs the folder as a container,
    exactly as its README tells users to. tests/AzDockerVm.Tests/Azure/OperationsSuiteTests.cs starts the fake, the
    fleet and a dockerd per host, runs this, and asserts on the result file. The AzDockerVm module must be on
    $env:PSModulePath (the suite imports it by name, as users do).

.PARAMETER ResultPath
    A JSON file: Result, the counts, and Tests (Name "<Describe> > <It>", Result, Message of a failed test).

.PARAMETER ResourceGroupName
    Passed as container data. Without it the suite falls back on $env:AZDOCKERVM_OPS_RESOURCEGROUP.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ResultPath,
    [string] $ResourceGroupName
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

. (Join-Path $PSScriptRoot FakeAzContext.ps1)

$pester = Get-Module -ListAvailable -Name Pester |
    Where-Object { $_.Version -ge [version]'5.0.0' -and $_.Version -lt [version]'6.0.0' } |
    Sort-Object Version -Descending | Select-Object -First 1
if ($null -eq $pester) {
    throw 'Pester 5 is not on $env:PSModulePath (tests/run-all.sh restores Pester 5.7.1 into out/test-modules).'
}

Import-Module -Name $pester.Path

$suite = Join-Path $PSScriptRoot ../Operations
$data = @{}
if ($ResourceGroupName) { $data.ResourceGroupName = $ResourceGroupName }
$configuration = New-PesterConfiguration
$configuration.Run.Container = New-PesterContainer -Path $suite -Data $data
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Normal'
if ([Console]::IsOutputRedirected) { $configuration.Output.RenderMode = 'Plaintext' }
$result = Invoke-Pester -Configuration $configuration

$tests = @(foreach ($test in $result.Tests) {
    $failure = @($test.ErrorRecord) | Select-Object -First 1
    [ordered]@{
        Name    = "$($test.Block.ExpandedName) > $($test.ExpandedName)"
        Result  = "$($test.Result)"
        Message = if ($failure) { "$($failure.Exception.Message)" } else { $null }
    }
})
$summary = [ordered]@{
    Result           = "$($result.Result)"
    Passed           = $result.PassedCount
    Failed           = $result.FailedCount
    Skipped          = $result.SkippedCount
    NotRun           = $result.NotRunCount
    FailedBlocks     = $result.FailedBlocksCount
    FailedContainers = $result.FailedContainersCount
    Tests            = $tests
}
[System.IO.File]::WriteAllText($ResultPath, ($summary | ConvertTo-Json -Depth 5))
