using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using AzDockerVm.Tests.Bench;
using Xunit;

namespace AzDockerVm.Tests.Help
{
    /// <summary>What the built module exports, as the hosted engine sees it after Import-Module.</summary>
    public static class ModuleCommands
    {
        /// <summary>Names that belong to this module's vocabulary; a call of such a name must be an exported command.</summary>
        public static readonly string[] NounPatterns = { "*-Docker*", "*-AzDocker*" };

        private static readonly Lazy<string[]> s_exportedNames = new Lazy<string[]>(() =>
        {
            using var ps = new PowerShellSession();
            return Exported(ps).Select(c => c.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        });

        /// <summary>The names from Get-Command -Module AzDockerVm, sorted.</summary>
        public static IReadOnlyList<string> ExportedNames => s_exportedNames.Value;

        /// <summary>One row per exported command, for [MemberData]; no rows makes the theory fail.</summary>
        public static TheoryData<string> Rows
        {
            get
            {
                var rows = new TheoryData<string>();
                foreach (string name in ExportedNames)
                {
                    rows.Add(name);
                }

                return rows;
            }
        }

        /// <summary>The exported commands of the module imported in <paramref name="ps"/>.</summary>
        public static IReadOnlyList<CommandInfo> Exported(PowerShellSession ps)
            => ps.Run("Get-Command -Module AzDockerVm").ThrowIfFailed().Output.Select(o => (CommandInfo)o.BaseObject).ToList();

        public static CommandInfo Get(PowerShellSession ps, string name)
            => (CommandInfo)ps.Run("Get-Command -Name $Name -Module AzDockerVm", new { Name = name }).ThrowIfFailed().Single().BaseObject;

        /// <summary>CmdletsToExport of the source manifest, read with the language (Import-PowerShellDataFile is absent here).</summary>
        public static string[] DeclaredInManifest(PowerShellSession ps)
        {
            var table = (Hashtable)ps.Run("& ([scriptblock]::Create([IO.File]::ReadAllText($p)))", new { p = RepoPaths.ModuleManifest })
                .ThrowIfFailed().Single().BaseObject;
            return ((object[])table["CmdletsToExport"]).Select(o => o.ToString()).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        }

        /// <summary>The parameters a user sees in help: all but the common ones (WhatIf and Confirm stay).</summary>
        public static bool IsCommon(string parameterName) => Cmdlet.CommonParameters.Contains(parameterName);
    }
}
