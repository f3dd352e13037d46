using System;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using AzDockerVm.FakeArm;
using Xunit;
using Xunit.Abstractions;

namespace AzDockerVm.Tests.FakeArm
{
    public class TrafficValidationTests
    {
        private readonly ITestOutputHelper _output;

        public TrafficValidationTests(ITestOutputHelper output)
        {
            _output = output;
        }

        /// <summary>
        /// Replays every other FakeArm test (each with its own fake, so its own traffic file), then runs the official
        /// validator on the traffic files of all fakes this process has finished with (the replay's at least): every
        /// answer the fake gives must match the Azure REST API specs at the api-versions it serves.
        /// </summary>
        [SpecValidatorFact]
        public async Task The_traffic_of_every_finished_fake_passes_the_official_API_specs()
        {
            foreach (var test in typeof(TrafficValidationTests).Assembly.GetTypes()
                .Where(t => t.Namespace == typeof(TrafficValidationTests).Namespace && t != typeof(TrafficValidationTests) && t.IsPublic)
                .SelectMany(t => t.GetMethods().Select(m => (Type: t, Method: m))))
            {
                if (test.Method.GetCustomAttribute<FactAttribute>() is not { } fact || fact.Skip != null)
                {
                    continue;
                }

                var cases = test.Method.GetCustomAttributes<InlineDataAttribute>().Select(d => d.GetData(test.Method).Single()).ToList();
                foreach (var arguments in cases.Count > 0 ? cases : new[] { Array.Empty<object>() }.ToList())
                {
                    var instance = Activator.CreateInstance(test.Type);
                    var result = test.Method.Invoke(instance, arguments);
                    if (result is Task task)
                    {
                        await task;
                    }
                }
            }

            var files = TrafficLog.CompletedFiles;
            var (exitCode, stdout, stderr) = SpecValidator.Run(files);
            var summary = SpecValidator.Summary(stdout);
            _output.WriteLine($"{files.Count} traffic files; {summary}");

            Assert.True(exitCode == 0, $"validator exit {exitCode}\n{stdout}\n{stderr}");
            Assert.Matches(@"^validated: [1-9]\d* exchanges, 0 with errors, \d+ not covered by the specs$", summary);
        }
    }
}
