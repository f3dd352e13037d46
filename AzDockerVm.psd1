@{
    RootModule           = 'AzDockerVm.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '00fdb54c-242f-429c-8f89-9032d01c9ced'
    Author               = 'AzDockerVm contributors'
    CompanyName          = 'AzDockerVm'
    Copyright            = '(c) AzDockerVm contributors. MIT License.'
    Description          = 'Stand up and run TLS-secured Docker hosts on Azure VMs: TLS certificate sets that Docker accepts, docker CLI contexts, host checks over mutual TLS, and Docker on Azure VMs through the CustomScript extension (the successor of the retired DockerExtension).'
    CompatiblePSEditions = @('Desktop', 'Core')
    PowerShellVersion    = '5.1'
    FormatsToProcess     = @('AzDockerVm.format.ps1xml')
    CmdletsToExport      = @(
        'New-DockerTlsCertificate'
        'Get-DockerTlsCertificate'
        'Update-DockerTlsCertificate'
        'Start-DockerTlsCertificateAuthorityRotation'
        'Complete-DockerTlsCertificateAuthorityRotation'
        'Update-AzDockerTlsCertificate'
        'New-DockerContext'
        'Test-AzDockerHost'
        'Set-AzDockerExtension'
        'Get-AzDockerExtension'
        'Remove-AzDockerExtension'
        'New-AzDockerVm'
        'Get-AzDockerVm'
        'Remove-AzDockerVm'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Azure', 'Docker', 'TLS', 'VM', 'Extension', 'CustomScript', 'Linux', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'MacOS')
            ProjectUri   = 'https://github.com/azdockervm/AzDockerVm'
            LicenseUri   = 'https://github.com/azdockervm/AzDockerVm/blob/main/LICENSE'
            ReleaseNotes = '0.1.0: New-DockerTlsCertificate, New-DockerContext, Test-AzDockerHost; Set-AzDockerExtension, Get-AzDockerExtension, Remove-AzDockerExtension (Docker with TLS on an existing Linux VM through the CustomScript extension, or the legacy DockerExtension schema), using the current Az context.'
        }
    }
}
