# The module as users install it, each step in a FRESH pwsh process with an empty HOME (no profile, no module of
# the user's): published to a local PSResourceGet repository and installed by name, imported from the Azure
# Automation zip, and a user's first five minutes with the real docker CLI against a throw-away dockerd.
# Needs the package: ./build.ps1 -Task Package (out/publish/AzDockerVm and out/publish/AzDockerVm.zip).
# tests/run-all.sh runs this file after that task.

BeforeAll {
    . (Join-Path $PSScriptRoot ../Pester/TestHelpers/Dockerd.ps1)

    $script:repoRoot = (Resolve-Path (Join-Path $PSScriptRoot ../..)).Path
    $script:packageDir = Join-Path $repoRoot 'out/publish/AzDockerVm'
    $script:zipFile = Join-Path $repoRoot 'out/publish/AzDockerVm.zip'
    $script:version = (Import-PowerShellDataFile (Join-Path $repoRoot 'AzDockerVm.psd1')).ModuleVersion
    foreach ($needed in $packageDir, $zipFile) {
        if (-not (Test-Path -LiteralPath $needed)) { throw "$needed is missing: run ./build.ps1 -Task Package first." }
    }

    # The pwsh running these tests (the project's pinned 7.6.10); a fresh process of it for every step.
    $script:pwshDll = Join-Path $PSHOME 'pwsh.dll'
    $script:cmdlets = 'New-DockerTlsCertificate', 'Get-DockerTlsCertificate', 'Update-DockerTlsCertificate', 'Update-AzDockerTlsCertificate',
        'Start-DockerTlsCertificateAuthorityRotation', 'Complete-DockerTlsCertificateAuthorityRotation', 'New-DockerContext', 'Test-AzDockerHost',
        'Set-AzDockerExtension', 'Get-AzDockerExtension', 'Remove-AzDockerExtension',
        'New-AzDockerVm', 'Get-AzDockerVm', 'Remove-AzDockerVm'

    # A new, empty home folder: what a user who never ran pwsh has.
    function New-EmptyHome([string] $Name) {
        (New-Item -ItemType Directory -Path (Join-Path $TestDrive "home-$Name")).FullName
    }

    # Runs $Script in a fresh pwsh with only HOME (and optionally PSModulePath) set from here; returns the exit code,
    # what it wrote, and its last output line parsed as JSON when it wrote one.
    function Invoke-FreshPwsh {
        param(
            [Parameter(Mandatory)] [string] $HomeFolder,
            [Parameter(Mandatory)] [string] $Script,
            [string] $ModulePath
        )

        $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        foreach ($argument in $pwshDll, '-NoProfile', '-NonInteractive', '-Command', $Script) { $start.ArgumentList.Add($argument) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.UseShellExecute = $false
        $start.WorkingDirectory = $HomeFolder
        $start.Environment.Clear()
        foreach ($name in 'PATH', 'DOTNET_ROOT', 'LANG', 'TERM') {
            $value = [Environment]::GetEnvironmentVariable($name)
            if ($value) { $start.Environment[$name] = $value }
        }
        $start.Environment['HOME'] = $HomeFolder
        $start.Environment['POWERSHELL_TELEMETRY_OPTOUT'] = '1'
        $start.Environment['POWERSHELL_UPDATECHECK'] = 'Off'
        $start.Environment['DOTNET_CLI_TELEMETRY_OPTOUT'] = '1'
        if ($ModulePath) { $start.Environment['PSModulePath'] = $ModulePath }

        $process = [System.Diagnostics.Process]::Start($start)
        $stderr = $process.StandardError.ReadToEndAsync()
        $stdout = $process.StandardOutput.ReadToEnd()
        if (-not $process.WaitForExit(180000)) { $process.Kill($true); throw "pwsh did not finish in 180 s: $Script" }
        $lines = @($stdout -split "`r?`n" | Where-Object { $_ -ne '' })
        $json = $null
        if ($lines.Count -gt 0 -and $lines[-1].StartsWith('{')) { $json = $lines[-1] | ConvertFrom-Json }
        [pscustomobject]@{
            ExitCode = $process.ExitCode
            Text     = $stdout + $stderr.Result
            Result   = $json
        }
    }
}

Describe 'AzDockerVm as users install it' {
    Context 'published to a local repository with PSResourceGet, installed by name' {
        BeforeAll {
            $repository = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'repository')).FullName
            $publisher = New-EmptyHome 'publisher'
            $published = Invoke-FreshPwsh -HomeFolder $publisher -Script @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name AzDockerVmLocal -Uri '$repository' -Trusted
Publish-PSResource -Path '$packageDir' -Repository AzDockerVmLocal
@{ Files = @(Get-ChildItem -LiteralPath '$repository' -Name) } | ConvertTo-Json -Compress
"@

            $userHome = New-EmptyHome 'user'
            $installed = Invoke-FreshPwsh -HomeFolder $userHome -Script @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name AzDockerVmLocal -Uri '$repository' -Trusted
Install-PSResource -Name AzDockerVm -Repository AzDockerVmLocal -TrustRepository -Scope CurrentUser
Import-Module AzDockerVm
`$m = Get-Module AzDockerVm
@{ ModuleBase = `$m.ModuleBase; Version = `$m.Version.ToString(); Commands = @(Get-Command -Module AzDockerVm | ForEach-Object Name | Sort-Object) } | ConvertTo-Json -Compress
"@

            # A new session of the same user, without Import-Module: the first call autoloads the module.
            $autoloaded = Invoke-FreshPwsh -HomeFolder $userHome -Script @"
`$ErrorActionPreference = 'Stop'
`$before = [bool](Get-Module AzDockerVm)
`$tls = New-DockerTlsCertificate -DnsName autoload.example.com -Path (Join-Path '$userHome' 'autoload-tls')
@{ LoadedBefore = `$before; LoadedAfter = [bool](Get-Module AzDockerVm); ModuleBase = (Get-Module AzDockerVm).ModuleBase; Path = `$tls.Path } | ConvertTo-Json -Compress
"@
        }

        It 'publishes the package folder as a .nupkg' {
            $published.ExitCode | Should -Be 0 -Because $published.Text
            $published.Result.Files | Should -Contain "AzDockerVm.$version.nupkg"
        }

        It 'installs into the user''s own module folder and imports by name' {
            $installed.ExitCode | Should -Be 0 -Because $installed.Text
            $installed.Result.Version | Should -Be $version
            $installed.Result.ModuleBase | Should -BeLike "$userHome/*"
            Join-Path $installed.Result.ModuleBase 'dependencies/AzDockerVm.Engine.dll' | Should -Exist
            $installed.Result.Commands | Should -Be ($cmdlets | Sort-Object)
        }

        It 'autoloads on the first call of a command, without Import-Module' {
            $autoloaded.ExitCode | Should -Be 0 -Because $autoloaded.Text
            $autoloaded.Result.LoadedBefore | Should -BeFalse
            $autoloaded.Result.LoadedAfter | Should -BeTrue
            $autoloaded.Result.ModuleBase | Should -Be $installed.Result.ModuleBase
            Join-Path $autoloaded.Result.Path 'ca.pem' | Should -Exist
        }
    }

    Context 'the Azure Automation zip' {
        BeforeAll {
            $modules = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'automation-modules')).FullName
            Expand-Archive -LiteralPath $zipFile -DestinationPath $modules
            $imported = Invoke-FreshPwsh -HomeFolder (New-EmptyHome 'automation') -ModulePath $modules -Script @"
`$ErrorActionPreference = 'Stop'
Import-Module AzDockerVm
`$m = Get-Module AzDockerVm
@{ ModuleBase = `$m.ModuleBase; Version = `$m.Version.ToString(); Commands = @(Get-Command -Module AzDockerVm).Count } | ConvertTo-Json -Compress
"@
        }

        It 'holds one folder named like the module at its root, with the manifest of the same name' {
            @(Get-ChildItem -LiteralPath $modules -Name) | Should -Be @('AzDockerVm')
            Join-Path $modules 'AzDockerVm/AzDockerVm.psd1' | Should -Exist
            Join-Path $modules 'AzDockerVm/dependencies/AzDockerVm.Engine.dll' | Should -Exist
            Join-Path $modules 'AzDockerVm/en-US/AzDockerVm.dll-Help.xml' | Should -Exist
        }

        It 'imports by name from a module path holding only the unpacked zip' {
            $imported.ExitCode | Should -Be 0 -Because $imported.Text
            $imported.Result.ModuleBase | Should -Be (Join-Path $modules 'AzDockerVm')
            $imported.Result.Version | Should -Be $version
            $imported.Result.Commands | Should -Be $cmdlets.Count
        }
    }

    Context 'a user''s first five minutes' {
        BeforeAll {
            $skipBecause = Get-DockerdSkipReason
            if (-not $skipBecause -and $null -eq (Get-Command docker -CommandType Application -ErrorAction SilentlyContinue)) {
                $skipBecause = 'the docker CLI is not installed'
            }

            # The module from the unpacked Automation zip, on the module path of a new user.
            $modules = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'first-modules')).FullName
            Expand-Archive -LiteralPath $zipFile -DestinationPath $modules
            $userHome = New-EmptyHome 'first'
            $daemon = $null
            if (-not $skipBecause) {
                # 1. A set in the default place: $HOME/.docker/azdockervm/<first DNS name>.
                $created = Invoke-FreshPwsh -HomeFolder $userHome -ModulePath $modules -Script @"
`$ErrorActionPreference = 'Stop'
`$tls = New-DockerTlsCertificate -DnsName docker.test -IPAddress 127.0.0.1
@{ Path = `$tls.Path; Ca = `$tls.CaCertificateFile; Cert = `$tls.ServerCertificateFile; Key = `$tls.ServerKeyFile } | ConvertTo-Json -Compress
"@
                if ($created.ExitCode -ne 0) { throw "New-DockerTlsCertificate failed: $($created.Text)" }

                # 2. The host: a real dockerd with the set's server files (on Azure, Set-AzDockerExtension puts them there).
                $daemon = Start-TestDockerd -Root (Join-Path $TestDrive 'first-dockerd') `
                    -CaCertificateFile $created.Result.Ca -ServerCertificateFile $created.Result.Cert -ServerKeyFile $created.Result.Key

                # 3. The context, the real docker CLI through it, the check and the help, in one fresh session.
                $session = Invoke-FreshPwsh -HomeFolder $userHome -ModulePath $modules -Script @"
`$ErrorActionPreference = 'Stop'
`$context = New-DockerContext -Name first -Endpoint '$($daemon.Endpoint)' -CertificatePath '$($created.Result.Path)' -Use
`$ps = & docker ps --format '{{.ID}}' 2>&1
`$psExit = `$LASTEXITCODE
`$current = & docker context show
`$check = `$context | Test-AzDockerHost
`$help = foreach (`$name in '$($cmdlets -join "','")') {
    `$h = Get-Help `$name -Full
    @{ Name = `$name; Synopsis = [string]`$h.Synopsis; Text = (`$h | Out-String -Width 200).Length; Examples = @(`$h.examples.example).Count }
}
@{ DockerPsExit = `$psExit; DockerPs = (`$ps -join ' '); Current = `$current; Success = `$check.Success; Message = `$check.Message; ServerVersion = `$check.ServerVersion; Help = @(`$help) } | ConvertTo-Json -Compress -Depth 4
"@
            }
        }

        AfterAll {
            Stop-TestDockerd $daemon
        }

        It 'New-DockerTlsCertificate writes the set under the default docker config folder' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            $created.Result.Path | Should -Be (Join-Path $userHome '.docker/azdockervm/docker.test')
        }

        It 'New-DockerContext -Use makes the real docker CLI talk to the host over mutual TLS' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            $session.ExitCode | Should -Be 0 -Because $session.Text
            $session.Result.Current | Should -Be 'first'
            $session.Result.DockerPsExit | Should -Be 0 -Because $session.Result.DockerPs
        }

        It 'Test-AzDockerHost succeeds through the context' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            $session.Result.Success | Should -BeTrue -Because $session.Result.Message
            $session.Result.ServerVersion | Should -Not -BeNullOrEmpty
        }

        It 'Get-Help renders for every cmdlet, with a synopsis and examples' {
            if ($skipBecause) { Set-ItResult -Skipped -Because $skipBecause }
            @($session.Result.Help).Count | Should -Be $cmdlets.Count
            foreach ($help in $session.Result.Help) {
                $help.Synopsis | Should -Not -BeNullOrEmpty -Because $help.Name
                # Without MAML, Get-Help makes a synopsis out of the syntax ("... [<CommonParameters>]").
                $help.Synopsis | Should -Not -Match 'CommonParameters' -Because "$($help.Name) must have MAML help, not generated syntax"
                $help.Examples | Should -BeGreaterThan 0 -Because $help.Name
                $help.Text | Should -BeGreaterThan 1000 -Because $help.Name
            }
        }
    }
}
