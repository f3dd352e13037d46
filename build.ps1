<#
.SYNOPSIS
    Builds, tests or packages the AzDockerVm module.

.DESCRIPTION
    Build   dotnet build AzDockerVm.sln; the importable module is laid out in out/AzDockerVm.
    Test    Build, then the xunit tests (tests/AzDockerVm.Tests) and, when Pester 5 or later is
            installed, the Pester tests in tests/Pester.
    Package Build, then Test-ModuleManifest and a copy of the module in out/publish/AzDockerVm,
            ready for Publish-Module -Path.

.EXAMPLE
    ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package')]
    [string] $Task = 'Build',

    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = $PSScriptRoot
$moduleDir = Join-Path $root 'out/AzDockerVm'
$manifest = Join-Path $moduleDir 'AzDockerVm.psd1'

# Runs a native command and stops the build when it fails ($ErrorActionPreference does not see exit codes).
function Invoke-Native {
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @()
    )

    Write-Host "> $FilePath $($ArgumentList -join ' ')" -ForegroundColor Cyan
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Invoke-ModuleBuild {
    Invoke-Native dotnet @('build', (Join-Path $root 'AzDockerVm.sln'), '-c', $Configuration)
    if (-not (Test-Path -LiteralPath $manifest)) {
        throw "The build did not lay out the module: $manifest is missing."
    }

    Write-Host "Module: $moduleDir"
}

function Invoke-ModuleTest {
    Invoke-Native dotnet @('test', (Join-Path $root 'tests/AzDockerVm.Tests'), '-c', $Configuration, '--no-build')

    $pester = @(Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -ge [version]'5.0.0' })
    if ($pester.Count -eq 0) {
        Write-Warning 'Pester 5 or later is not installed, so tests/Pester was not run. Install-Module Pester -MinimumVersion 5.0.0 -Scope CurrentUser'
        return
    }

    # Windows PowerShell ships Pester 3; make sure 5 is the one loaded.
    Get-Module -Name Pester | Remove-Module -Force
    Import-Module -Name Pester -MinimumVersion 5.0.0
    $result = Invoke-Pester -Path (Join-Path $root 'tests/Pester') -Output Detailed -PassThru
    if ($result.FailedCount -gt 0 -or $result.Result -ne 'Passed') {
        throw "Pester: $($result.FailedCount) test(s) failed (result: $($result.Result))."
    }
}

function New-ModulePackage {
    $info = Test-ModuleManifest -Path $manifest
    $publishDir = Join-Path $root 'out/publish/AzDockerVm'
    if (Test-Path -LiteralPath $publishDir) {
        Remove-Item -LiteralPath $publishDir -Recurse -Force
    }

    $null = New-Item -ItemType Directory -Path (Split-Path -Parent $publishDir) -Force
    Copy-Item -LiteralPath $moduleDir -Destination $publishDir -Recurse
    Write-Host "Package: $publishDir (AzDockerVm $($info.Version)); publish with Publish-Module -Path '$publishDir'"
}

Push-Location $root
try {
    Invoke-ModuleBuild
    switch ($Task) {
        'Test' { Invoke-ModuleTest }
        'Package' { New-ModulePackage }
    }
}
finally {
    Pop-Location
}
