using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;

namespace AzDockerVm.FakeArm
{
    /// <summary>
    /// Faults a test asks for, each matched by HTTP method and path and limited to a number of hits:
    /// <c>server.Faults.On("PUT", "*/extensions/*").Times(2).Throttle(retryAfterSeconds: 1)</c>.
    /// Path patterns are case-insensitive globs over the URL path (no query), where <c>*</c> matches anything,
    /// slashes included. Rules are tried in the order they were added.
    /// </summary>
    public sealed class FaultPlan
    {
        private readonly List<FaultRule> _rules = new List<FaultRule>();

        /// <summary>Starts a rule for <paramref name="method"/> ("*" for any) and <paramref name="pathPattern"/>.</summary>
        public FaultRuleBuilder On(string method, string pathPattern) => new FaultRuleBuilder(this, method, pathPattern);

        public IReadOnlyList<FaultRule> Rules
        {
            get
            {
                lock (_rules)
                {
                    return _rules.ToList();
                }
            }
        }

        public void Clear()
        {
            lock (_rules)
            {
                _rules.Clear();
            }
        }

        internal FaultRule Add(FaultRule rule)
        {
            lock (_rules)
            {
                _rules.Add(rule);
            }

            return rule;
        }

        /// <summary>Takes one hit of the first live rule of one of <paramref name="kinds"/> matching the request.</summary>
        internal FaultRule Take(string method, string path, params FaultKind[] kinds)
        {
            lock (_rules)
            {
                var rule = _rules.FirstOrDefault(r => r.Remaining > 0 && kinds.Contains(r.Kind) && r.Matches(method, path));
                rule?.Hit();
                return rule;
            }
        }
    }

    public enum FaultKind
    {
        /// <summary>429 with Retry-After.</summary>
        Throttle,

        /// <summary>An ARM error answer (500 InternalServerError unless told otherwise).</summary>
        Error,

        /// <summary>The connection is aborted before any answer.</summary>
        DropConnection,

        /// <summary>The long-running operation the request starts answers InProgress a number of polls first.</summary>
        SlowLro,

        /// <summary>The long-running operation the request starts ends Failed with a given error.</summary>
        FailLro,

        /// <summary>The request is carried out, but its answer never comes: the connection stays open until the client gives up.</summary>
        Hang,
    }

    /// <summary>One fault: what it matches, what it does, how many hits remain.</summary>
    public sealed class FaultRule
    {
        private readonly Regex _path;
        private int _remaining;
        private int _hits;

        internal FaultRule(string method, string pathPattern, int times, FaultKind kind)
        {
            Method = method;
            PathPattern = pathPattern;
            Kind = kind;
            _remaining = times;
            _path = new Regex("^" + Regex.Escape(pathPattern).Replace("\\*", ".*") + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        }

        public string Method { get; }

        public string PathPattern { get; }

        public FaultKind Kind { get; }

        public int Remaining => Volatile.Read(ref _remaining);

        /// <summary>How many requests this rule has affected.</summary>
        public int Hits => Volatile.Read(ref _hits);

        public int Status { get; internal set; }

        public string Code { get; internal set; }

        public string Message { get; internal set; }

        public int RetryAfterSeconds { get; internal set; }

        public int InProgressPolls { get; internal set; }

        internal bool Matches(string method, string path) =>
            (Method == "*" || string.Equals(Method, method, StringComparison.OrdinalIgnoreCase)) && _path.IsMatch(path);

        internal void Hit()
        {
            _remaining--;
            _hits++;
        }
    }

    /// <summary>Completes a fault rule: <see cref="Times"/> then one of the fault kinds.</summary>
    public sealed class FaultRuleBuilder
    {
        private readonly FaultPlan _plan;
        private readonly string _method;
        private readonly string _pathPattern;
        private int _times = 1;

        internal FaultRuleBuilder(FaultPlan plan, string method, string pathPattern)
        {
            _plan = plan;
            _method = method ?? "*";
            _pathPattern = pathPattern ?? "*";
        }

        /// <summary>How many matching requests the fault affects (default 1).</summary>
        public FaultRuleBuilder Times(int times)
        {
            _times = times;
            return this;
        }

        /// <summary>Answers 429 with <c>Retry-After: seconds</c>, as ARM's throttling does.</summary>
        public FaultRule Throttle(int retryAfterSeconds = 1) => Add(FaultKind.Throttle, r =>
        {
            r.Status = 429;
            r.Code = "SubscriptionRequestsThrottled";
            r.Message = $"Number of requests for subscription exceeded the limit. Please try again after '{retryAfterSeconds}' seconds.";
            r.RetryAfterSeconds = retryAfterSeconds;
        });

        /// <summary>Answers 500 InternalServerError.</summary>
        public FaultRule ServerError() =>
            Error(500, "InternalServerError", "Encountered internal server error. Diagnostic information: this fault was injected by the test.");

        /// <summary>Answers with any ARM error (for example 409 Conflict).</summary>
        public FaultRule Error(int status, string code, string message) => Add(FaultKind.Error, r =>
        {
            r.Status = status;
            r.Code = code;
            r.Message = message;
        });

        /// <summary>Aborts the connection without an answer.</summary>
        public FaultRule DropConnection() => Add(FaultKind.DropConnection, _ => { });

        /// <summary>Carries the request out, then never answers (a hung ARM response).</summary>
        public FaultRule Hang() => Add(FaultKind.Hang, _ => { });

        /// <summary>The started operation answers InProgress <paramref name="inProgressPolls"/> times before it ends (each costs an SDK client 1 s).</summary>
        public FaultRule SlowLro(int inProgressPolls) => Add(FaultKind.SlowLro, r => r.InProgressPolls = inProgressPolls);

        /// <summary>The started operation ends Failed with this error (the resource's provisioningState becomes Failed).</summary>
        public FaultRule FailLro(string code, string message) => Add(FaultKind.FailLro, r =>
        {
            r.Code = code;
            r.Message = message;
        });

        private FaultRule Add(FaultKind kind, Action<FaultRule> configure)
        {
            var rule = new FaultRule(_method, _pathPattern, _times, kind);
            configure(rule);
            return _plan.Add(rule);
        }
    }
}
