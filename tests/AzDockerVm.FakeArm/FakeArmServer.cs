using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AzDockerVm.FakeArm.Api;
using AzDockerVm.FakeArm.Http;
using AzDockerVm.FakeArm.State;
using AzDockerVm.FakeArm.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.DependencyInjection;

namespace AzDockerVm.FakeArm
{
    /// <summary>
    /// A local HTTPS fake of Azure Resource Manager that the real Azure SDK talks to (point ArmEnvironment at
    /// <see cref="BaseUri"/> and <see cref="Audience"/>). It keeps state (resource groups, VMs, VM extensions, network
    /// resources), speaks ARM's long-running-operation protocol, injects faults on request and appends every exchange
    /// to a traffic file the official OpenAPI specs can validate.
    /// </summary>
    public sealed partial class FakeArmServer : IAsyncDisposable
    {
        private readonly ArmStore _store;
        private readonly ArmContext _context;
        private readonly ArmRouter _router;
        private readonly TrafficFileWriter _traffic;
        private readonly List<RecordedExchange> _exchanges = new List<RecordedExchange>();
        private readonly List<string> _tokens = new List<string>();
        private WebApplication _app;
        private int _sequence;
        private int _inFlight;
        private int _peakInFlight;

        private FakeArmServer(FakeArmOptions options)
        {
            SubscriptionId = options.SubscriptionId;
            TenantId = options.TenantId;
            Audience = options.Audience;
            AcceptToken = options.AcceptToken ?? (token => !string.IsNullOrEmpty(token));
            _store = new ArmStore(SubscriptionId) { LoopbackPublicAddresses = options.LoopbackPublicAddresses };
            _context = new ArmContext(_store, Faults, TenantId) { LroLatency = options.LroLatency };
            _router = new ArmRouter(_context);
            _traffic = new TrafficFileWriter(options.TrafficDirectory ?? TrafficLog.DefaultDirectory);
        }

        /// <summary>https://127.0.0.1:{port}/</summary>
        public Uri BaseUri => _context.BaseUri;

        public string Audience { get; }

        public string SubscriptionId { get; }

        public string TenantId { get; }

        /// <summary>Which bearer tokens are accepted (others get 401 InvalidAuthenticationToken).</summary>
        public Func<string, bool> AcceptToken { get; set; }

        public FaultPlan Faults { get; } = new FaultPlan();

        /// <summary>
        /// How long every long-running operation started from now on takes at least (default
        /// <see cref="FakeArmOptions.LroLatency"/>). A poll that arrives earlier is held until then and answered as a tick
        /// at that moment; a GET of the resource before then does not end it. Zero: operations end on their first tick.
        /// </summary>
        public TimeSpan LroLatency
        {
            get { lock (_store.Gate) { return _context.LroLatency; } }
            set { lock (_store.Gate) { _context.LroLatency = value < TimeSpan.Zero ? TimeSpan.Zero : value; } }
        }

        /// <summary>
        /// Whether public IPs allocated from now on are loopback addresses (127.0.0.2, ...) rather than 20.50.x.y
        /// (default <see cref="FakeArmOptions.LoopbackPublicAddresses"/>). Addresses already handed out stay.
        /// </summary>
        public bool LoopbackPublicAddresses
        {
            get { lock (_store.Gate) { return _store.LoopbackPublicAddresses; } }
            set { lock (_store.Gate) { _store.LoopbackPublicAddresses = value; } }
        }

        /// <summary>How many requests the fake is handling right now (held polls included).</summary>
        public int InFlight => Volatile.Read(ref _inFlight);

        /// <summary>The most requests handled at once since the start or the last <see cref="ResetPeakInFlight"/>.</summary>
        public int PeakInFlight => Volatile.Read(ref _peakInFlight);

        /// <summary>Starts counting <see cref="PeakInFlight"/> again, from the requests in flight now.</summary>
        public void ResetPeakInFlight() => Interlocked.Exchange(ref _peakInFlight, Volatile.Read(ref _inFlight));

        /// <summary>The outcome of every extension PUT, unless set per VM (<see cref="SetExtensionHandler"/>); default <see cref="ExtensionOutcome.Default"/>.</summary>
        public Func<ExtensionPut, ExtensionOutcome> ExtensionHandler
        {
            get => _context.ExtensionHandler;
            set => _context.ExtensionHandler = value;
        }

        /// <summary>The file this fake appends its exchanges to (JSON lines, the api-specs validator's format).</summary>
        public string TrafficLogPath => _traffic.Path;

        /// <summary>Every exchange so far (answered or dropped), in arrival order.</summary>
        public IReadOnlyList<RecordedExchange> Requests
        {
            get
            {
                lock (_exchanges)
                {
                    return _exchanges.OrderBy(e => e.Sequence).ToList();
                }
            }
        }

        /// <summary>The distinct bearer tokens received, in the order first seen.</summary>
        public IReadOnlyList<string> TokensSeen
        {
            get
            {
                lock (_tokens)
                {
                    return _tokens.ToList();
                }
            }
        }

        /// <summary>Every extension PUT received, in order (protected settings included, for assertions).</summary>
        public IReadOnlyList<ExtensionPut> ExtensionPuts
        {
            get
            {
                lock (_context.ExtensionPuts)
                {
                    return _context.ExtensionPuts.ToList();
                }
            }
        }

        public static async Task<FakeArmServer> StartAsync(FakeArmOptions options = null)
        {
            options ??= new FakeArmOptions();
            var server = new FakeArmServer(options);
            try
            {
                await server.ListenAsync(options.ServerCertificate ?? TestCertificateAuthority.ForProcess.LocalhostCertificate);
                return server;
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_app != null)
            {
                await _app.StopAsync();
                await _app.DisposeAsync();
                _app = null;
            }

            _traffic.Dispose();
        }

        private async Task ListenAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate));
            });
            _app = builder.Build();
            _app.Run(HandleAsync);
            await _app.StartAsync();
            var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>().Addresses.Single();
            _context.BaseUri = new Uri(address.TrimEnd('/') + "/");
        }

        // ---- the pipeline: record, authenticate, faults, route, answer ----

        private async Task HandleAsync(HttpContext http)
        {
            int inFlight = Interlocked.Increment(ref _inFlight);
            int peak;
            while (inFlight > (peak = Volatile.Read(ref _peakInFlight)) && Interlocked.CompareExchange(ref _peakInFlight, inFlight, peak) != peak)
            {
            }

            try
            {
                await HandleRequestAsync(http);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        private async Task HandleRequestAsync(HttpContext http)
        {
            var request = http.Request;
            string rawBody;
            using (var reader = new StreamReader(request.Body, Encoding.UTF8))
            {
                rawBody = await reader.ReadToEndAsync();
            }

            var token = BearerToken(request);
            var arm = new ArmRequest(request.Method, request.Path.Value ?? "/", request.Query, rawBody);
            var exchange = new RecordedExchange(
                Interlocked.Increment(ref _sequence),
                arm.Method,
                new Uri(request.GetEncodedUrl()),
                request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, IsAuthorization(h.Key) ? RedactAuthorization(h.Value.ToString()) : h.Value.ToString())).ToList(),
                arm.Body,
                rawBody,
                token);

            FaultRule fault = null;
            ArmResponse response;
            try
            {
                response = Authenticate(request, token);
                if (response == null)
                {
                    fault = Faults.Take(arm.Method, arm.Path, FaultKind.Throttle, FaultKind.Error, FaultKind.DropConnection);
                    if (fault?.Kind == FaultKind.DropConnection)
                    {
                        exchange.Drop(fault);
                        Record(exchange, toFile: false);
                        http.Abort();
                        return;
                    }

                    response = fault == null ? null
                        : fault.Kind == FaultKind.Throttle ? ArmResponse.Error(new ArmError(429, fault.Code, fault.Message)).WithHeader("Retry-After", fault.RetryAfterSeconds.ToString())
                        : ArmResponse.Error(new ArmError(fault.Status, fault.Code, fault.Message));
                }

                if (response == null)
                {
                    await HoldPollAsync(arm, http.RequestAborted);
                    lock (_store.Gate)
                    {
                        response = _router.Route(arm);
                    }
                }
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                // The client gave up on a held poll: nobody to answer.
                return;
            }
            catch (ArmException e)
            {
                response = ArmResponse.Error(e.Error);
            }
            catch (Exception e)
            {
                response = ArmResponse.Error(new ArmError(500, "InternalServerError", "The fake failed: " + e));
            }

            FaultRule hang = fault == null ? Faults.Take(arm.Method, arm.Path, FaultKind.Hang) : null;
            if (hang != null)
            {
                exchange.Drop(hang);
                Record(exchange, toFile: false);
                try
                {
                    await Task.Delay(Timeout.Infinite, http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                }

                return;
            }

            var headers = ResponseHeaders(request, response);
            var body = arm.Is("HEAD") ? null : response.Body;
            exchange.Complete(response.Status, headers, body, fault);
            Record(exchange, toFile: !response.RefusesMalformedRequest);

            http.Response.StatusCode = response.Status;
            foreach (var header in headers)
            {
                http.Response.Headers.Append(header.Key, header.Value);
            }

            if (body != null)
            {
                var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
                http.Response.ContentLength = bytes.Length;
                await http.Response.Body.WriteAsync(bytes);
            }
        }

        /// <summary>
        /// A poll of an operation whose latency has not elapsed waits (outside the store's lock, cancelled with the
        /// request) until it has, so the poll is answered as a tick at the deadline, whatever the client's poll interval.
        /// </summary>
        private async Task HoldPollAsync(ArmRequest arm, CancellationToken cancellation)
        {
            LongRunningOperation op = null;
            while (true)
            {
                TimeSpan remaining;
                lock (_store.Gate)
                {
                    op ??= _router.PolledOperation(arm);
                    remaining = op == null || op.Done ? TimeSpan.Zero : op.Remaining;
                }

                if (remaining <= TimeSpan.Zero)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(remaining.TotalMilliseconds)), cancellation);
            }
        }

        /// <summary>401 with ARM's error shape when the bearer token is missing, malformed or not accepted.</summary>
        private ArmResponse Authenticate(HttpRequest request, string token)
        {
            string header = request.Headers.Authorization;
            ArmError error =
                string.IsNullOrEmpty(header) ? new ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
                : token == null ? new ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is provided in an invalid format.")
                : !AcceptToken(token) ? new ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.")
                : null;
            if (error == null)
            {
                return null;
            }

            var reason = token == null ? "missing or malformed 'Authorization' header" : "invalid access token";
            return ArmResponse.Error(error).WithHeader("WWW-Authenticate",
                $"Bearer authorization_uri=\"https://login.microsoftonline.com/{TenantId}\", error=\"invalid_token\", error_description=\"The authentication failed because of {reason}.\"");
        }

        private string BearerToken(HttpRequest request)
        {
            string header = request.Headers.Authorization;
            if (header == null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
            {
                return null;
            }

            var token = header.Substring(7).Trim();
            lock (_tokens)
            {
                if (!_tokens.Contains(token))
                {
                    _tokens.Add(token);
                }
            }

            return token;
        }

        // The headers ARM puts on every answer, then the answer's own (Location, Azure-AsyncOperation, Retry-After...).
        private static List<KeyValuePair<string, string>> ResponseHeaders(HttpRequest request, ArmResponse response)
        {
            var headers = new List<KeyValuePair<string, string>>
            {
                new("Cache-Control", "no-cache"),
                new("Pragma", "no-cache"),
            };
            if (response.Body != null)
            {
                headers.Add(new("Content-Type", "application/json; charset=utf-8"));
            }

            headers.Add(new("Expires", "-1"));
            headers.Add(new("x-ms-request-id", Guid.NewGuid().ToString()));
            string correlation = request.Headers["x-ms-correlation-request-id"];
            headers.Add(new("x-ms-correlation-request-id", string.IsNullOrEmpty(correlation) ? Guid.NewGuid().ToString() : correlation));
            string clientRequestId = request.Headers["x-ms-client-request-id"];
            if (!string.IsNullOrEmpty(clientRequestId) && string.Equals(request.Headers["x-ms-return-client-request-id"], "true", StringComparison.OrdinalIgnoreCase))
            {
                headers.Add(new("x-ms-client-request-id", clientRequestId));
            }

            headers.AddRange(response.Headers);
            return headers;
        }

        private void Record(RecordedExchange exchange, bool toFile)
        {
            exchange.InTrafficFile = toFile;
            lock (_exchanges)
            {
                _exchanges.Add(exchange);
            }

            if (toFile)
            {
                _traffic.Append(exchange.ToJsonLine());
            }
        }

        private static bool IsAuthorization(string header) => string.Equals(header, "Authorization", StringComparison.OrdinalIgnoreCase);

        private static string RedactAuthorization(string value) =>
            value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? "Bearer ***" : "***";
    }
}
