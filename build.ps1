<#
.SYNOPSIS
    Builds, tests or packages the AzDockerVm module.

.DESCRIPTION
    Build   dotnet build AzDockerVm.sln; the importable module is laid out in out/AzDockerVm.
    Test    Build, then the xunit tests (tests/AzDockerVm.Tests, tests/AzDockerVm.Engine.Tests) and the Pester 5 tests in tests/Pester
            against out/AzDockerVm (not the operations suite tests/Pester/Operations, which checks a resource group
            you name; the xunit tests run it against the fake ARM). Pester 5 must be installed (or on $env:PSModulePath); without it the
            task fails rather than passing untested. -SkipXunit leaves the xunit tests out (tests/run-all.sh
            runs them itself first) and says so.
    Package Build, then Test-ModuleManifest, a copy of the module in out/publish/AzDockerVm (for
            Publish-PSResource -Path) and out/publish/AzDockerVm.zip, the layout Azure Automation's
            "import a module from a file" expects: the AzDockerVm folder at the root of AzDockerVm.zip.

.PARAMETER Task
    Build, Test or Package.

.PARAMETER Configuration
    The dotnet build configuration (Release by default).

.PARAMETER SkipXunit
    With -Task Test: do not run the xunit tests (when the caller has just run them).

.PARAMETER PesterResultPath
    With -Task Test: also write the Pester counts to this file, one line "passed=N failed=N skipped=N"
    (tests/Invoke-PesterFiles.ps1 runs Pester).

.EXAMPLE
    ./build.ps1 -Task Test

.EXAMPLE
    ./build.ps1 -Task Package
    Publish-PSResource -Path ./out/publish/AzDockerVm -Repository MyRepository
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package')]
    [string] $Task = 'Build',

    [string] $Configuration = 'Release',

    [switch] $SkipXunit,

    [string] $PesterResultPath
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
    Invoke-Native dotnet @('build', (Join-Path $root 'AzDockerVm.sln'), '-c', $Configuration, '-nologo', '-v', 'quiet')
    if (-not (Test-Path -LiteralPath $manifest)) {
        throw "The build did not lay out the module: $manifest is missing."
    }

    Write-Host "Module: $moduleDir"
}

function Invoke-ModuleTest {
    if ($SkipXunit) {
        Write-Host 'xunit: skipped (-SkipXunit: the caller ran tests/AzDockerVm.Tests itself)'
    }
    else {
        Invoke-Native dotnet @('test', (Join-Path $root 'tests/AzDockerVm.Tests'), '-c', $Configuration, '--no-build', '--nologo')
        Invoke-Native dotnet @('test', (Join-Path $root 'tests/AzDockerVm.Engine.Tests'), '-c', $Configuration, '--no-build', '--nologo')
    }

    $pester = @{ Path = (Join-Path $root 'tests/Pester') }
    if ($PesterResultPath) { $pester.ResultPath = $PesterResultPath }
    & (Join-Path $root 'tests/Invoke-PesterFiles.ps1') @pester
}

function New-ModulePackage {
    $info = Test-ModuleManifest -Path $manifest
    $publishRoot = Join-Path $root 'out/publish'
    $publishDir = Join-Path $publishRoot 'AzDockerVm'
    $zip = Join-Path $publishRoot 'AzDockerVm.zip'
    foreach ($old in $publishDir, $zip) {
        if (Test-Path -LiteralPath $old) {
            Remove-Item -LiteralPath $old -Recurse -Force
        }
    }

    $null = New-Item -ItemType Directory -Path $publishRoot -Force
    Copy-Item -LiteralPath $moduleDir -Destination $publishDir -Recurse

    # Azure Automation: the zip, the folder at its root and the manifest carry the module's name.
    Compress-Archive -LiteralPath $publishDir -DestinationPath $zip

    Write-Host "Package: $publishDir (AzDockerVm $($info.Version))"
    Write-Host "  publish: Publish-PSResource -Path '$publishDir' -Repository <name>   (PSResourceGet 1.x; PowerShellGet 2's Publish-Module fails with NETSDK1061 under a current .NET SDK, e.g. 10)"
    Write-Host "  Azure Automation: $zip   (Automation account > Modules > Add a module > Browse for file, runtime PowerShell 7.2 or later)"
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
