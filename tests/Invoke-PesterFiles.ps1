<#
.SYNOPSIS
    Runs Pester 5 over test files and fails when any test, block or file fails.

.DESCRIPTION
    Used by build.ps1 -Task Test (tests/Pester) and by tests/run-all.sh (tests/Pester, tests/Install). Takes the
    newest Pester 5 on $env:PSModulePath (run-all.sh puts Pester 5.7.1, restored from NuGet, on a module path of
    its own). Skipped tests count as skipped; a test that did not run for any other reason counts as failed.

.PARAMETER Path
    Test files or folders.

.PARAMETER ResultPath
    Also write the counts to this file, one line "passed=N failed=N skipped=N", and what failed to the file of the same
    name with ".failed" appended, a line per failed test.

.PARAMETER ExcludePath
    Test files to leave out, as full-path wildcards (Pester's Run.ExcludePath). By default the operations suite,
    tests/Pester/Operations: it checks a resource group you name (see its README) and fails without one; CI runs it
    against the fake ARM from tests/AzDockerVm.Tests/Azure/OperationsSuiteTests.cs. -ExcludePath @() includes it.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string[]] $Path,
    [string] $ResultPath,
    [string[]] $ExcludePath = @((Join-Path $PSScriptRoot 'Pester/Operations/*')),
    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')] [string] $Verbosity = 'Detailed'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

# Pester 6 changed defaults these tests rely on; Windows PowerShell ships Pester 3.
$pester = Get-Module -ListAvailable -Name Pester |
    Where-Object { $_.Version -ge [version]'5.0.0' -and $_.Version -lt [version]'6.0.0' } |
    Sort-Object Version -Descending | Select-Object -First 1
if ($null -eq $pester) {
    throw 'Pester 5 is not installed: Install-PSResource Pester -Version "[5.0,6.0)" (tests/run-all.sh restores Pester 5.7.1 from NuGet into out/test-modules by itself).'
}

Get-Module -Name Pester | Remove-Module -Force
Import-Module -Name $pester.Path
Write-Host "Pester $($pester.Version) from $(Split-Path -Parent $pester.Path): $($Path -join ', ')$(if ($ExcludePath) { " (leaving out $($ExcludePath -join ', '))" })"

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.ExcludePath = $ExcludePath
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = $Verbosity
$result = Invoke-Pester -Configuration $configuration

$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount + $result.NotRunCount
if ($ResultPath) {
    [System.IO.File]::WriteAllText($ResultPath, "passed=$($result.PassedCount) failed=$failed skipped=$($result.SkippedCount)`n")
    # What failed, a line each (the test's full name and the first line of its error), for the run's closing summary.
    $failures = @($result.Failed | ForEach-Object {
            $message = if ($_.ErrorRecord) { ("$($_.ErrorRecord[0])" -split "`n")[0] } else { '' }
            "$($_.ExpandedPath): $message"
        }) + @($result.FailedBlocks + $result.FailedContainers | ForEach-Object { "$($_.Name): the block or file failed" })
    [System.IO.File]::WriteAllLines("$ResultPath.failed", [string[]] $failures)
}

if ($failed -gt 0 -or $result.Result -ne 'Passed' -or $result.TotalCount -eq 0) {
    throw "Pester: $($result.FailedCount) test(s), $($result.FailedBlocksCount) block(s), $($result.FailedContainersCount) file(s) failed and $($result.NotRunCount) did not run; $($result.TotalCount) in all (result: $($result.Result))."
}
