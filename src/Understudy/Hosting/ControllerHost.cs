using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Understudy.Alerts;
using Understudy.Api;
using Understudy.Api.Auth;
using Understudy.Cluster;
using Understudy.Commands;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Dashboard;
using Understudy.Drills.Reports;
using Understudy.Failover;
using Understudy.Journal;
using Understudy.Metrics;

namespace Understudy.Hosting;

/// <summary>
/// Builds the controller: takes the journal (one writer), rebuilds every service's state from it before
/// the host starts (blocking work belongs here, not in ExecuteAsync), then one Kestrel server for the API
/// and the Sentinel listeners; the proxies listen on their own sockets (<see cref="ProxyListeners"/>).
/// </summary>
public static class ControllerHost
{
    /// <summary>Time allowed at shutdown beyond the longest hook's timeout, for the last journal writes.</summary>
    private static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(10);

    /// <param name="configFile">The file <paramref name="spec"/> was read from: with it the controller reloads (SIGHUP, <c>POST /api/reload</c>).</param>
    /// <param name="newJournal">
    /// Accept a journal that knows an earlier epoch than the last run reached (<see cref="EpochMarker"/>): epochs
    /// start after the marker's. Without it such a start is refused.
    /// </param>
    public static async Task<WebApplication> CreateAsync(
        UnderstudySpec spec, string configDirectory, TimeProvider? time = null, Action<ILoggingBuilder>? logging = null, bool newJournal = false,
        string? configFile = null)
    {
        time ??= TimeProvider.System;
        // Read again before the journal is taken: a TLS file changed since the config was loaded is one line at start.
        HttpsConnectionAdapterOptions? https = spec.Controller.Tls is { } tls ? ApiCertificate.Load(tls) : null;
        ApiTrust trust = ApiTrust.Of(spec.Controller.Tls, out string untrusted) ?? throw new StartupException($"controller.tls: {untrusted}");
        SqliteJournal journal = await SqliteJournal.OpenAsync(spec.Controller.Journal);
        StartingPoint start;
        try
        {
            start = await StartingPoint.ReadAsync(spec, journal);
            // A cluster's history is its shared log in etcd; the file is only its mirror.
            if (spec.Controller.Coordination is null) start = await JournalBehind.CheckAsync(start, journal, newJournal, time);
        }
        catch
        {
            await journal.DisposeAsync();
            throw;
        }

        var lastSeen = new LastSeen(journal.Path);
        start = start with { States = lastSeen.Restore(start.States, time.GetUtcNow(), out string? restored) };

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logging is null) builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; o.UseUtcTimestamp = true; });
        else logging(builder.Logging);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // A failed start (a port in use) is reported by `serve` in one line; the host would add a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.Critical);
        // Two lines per failed sign-in would let a token guesser fill the log: they are counted and journaled once a window instead.
        builder.Logging.AddFilter(typeof(TokenAuthentication).FullName, LogLevel.Warning);

        TimeSpan longestHook = spec.Services.SelectMany(s => s.Hooks.OnFailover.Concat(s.Hooks.OnSwitchover)).Select(h => h.Timeout).DefaultIfEmpty().Max();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = longestHook + ShutdownMargin);
        var live = new LiveConfig(spec, configFile);
        builder.Services.AddSingleton(live);
        // Endpoints and the token check get the running config; the parts a reload changes elsewhere are told (ConfigReloader).
        builder.Services.AddTransient(_ => live.Current);
        builder.Services.AddTransient(_ => live.Current.Controller);
        builder.Services.AddApiAuth();
        builder.Services.AddSignInLimits();
        builder.Services.AddSingleton(trust);
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(_ =>
        {
            var stalls = new Checks.StallWatch(time);
            stalls.Start();
            return stalls;
        });
        builder.Services.AddSingleton(_ => new Failover.LoopTicker(time));
        builder.Services.AddSingleton<JournalFeed>();
        builder.Services.AddSingleton(new JournalHealth(time));
        builder.Services.AddSingleton<IJournal>(sp => new PublishingJournal(
            new RetryingJournal(journal, sp.GetRequiredService<JournalHealth>(), time, sp.GetRequiredService<ILogger<RetryingJournal>>()), sp.GetRequiredService<JournalFeed>()));
        builder.Services.AddHostedService<JournalAlarm>();
        builder.Services.AddSingleton(new CommandRunner(configDirectory, time));
        builder.Services.AddSingleton<ControllerMetrics>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ControllerMetrics>());
        builder.Services.AddSingleton(new ReportIndex(spec.Controller.DrillsDir));
        builder.Services.AddSingleton<IEventRecorder>(sp => sp.GetRequiredService<Controller>());
        builder.Services.AddSingleton<Sites.SiteOperations>();
        // Before the controller: it folds the journal's site operations while the loops start, and the loops' leader hands them over.
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Sites.SiteOperations>());
        // Before the controller, so it stops after it and still hears the controller's last events.
        // Run even with no channel configured: a reload may add one.
        builder.Services.AddSingleton<Notifier>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Notifier>());
        // Before the controller: listeners bound before its loops run, and closed after they stop.
        builder.Services.AddSingleton<ProxyListeners>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ProxyListeners>());
        if (spec.Controller.Coordination is { } coordination) builder.Services.AddCluster(spec, coordination, start, journal, time);
        else builder.Services.AddAlone(spec, start, journal, time);
        builder.Services.AddSingleton<ConfigReloader>();
        // After the controller, so it stops first: no run starts while the loops are stopping.
        builder.Services.AddSingleton(new Drills.Scheduling.DrillLocks(time));
        builder.Services.AddSingleton<Drills.Scheduling.DrillGate>();
        builder.Services.AddSingleton<Drills.Scheduling.ProductionSchedules>();
        builder.Services.AddSingleton<Drills.Scheduling.DrillLauncher>();
        builder.Services.AddSingleton(sp => new Drills.Scheduling.DrillScheduler(spec, sp.GetRequiredService<Drills.Scheduling.DrillLauncher>().StartAsync,
            sp.GetRequiredService<IClusterState>(), time, new Random(), sp.GetRequiredService<ILogger<Drills.Scheduling.DrillScheduler>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Drills.Scheduling.DrillScheduler>());
        // After the controller (and the cluster node), so it stops before them and its last count is still journaled.
        builder.Services.AddHostedService<SignInJournal>();
        builder.Services.AddHostedService(sp => new LastSeenWriter(lastSeen, restored, () => sp.GetRequiredService<Controller>().Services.Select(r => r.Loop.State), time,
            sp.GetRequiredService<ILogger<LastSeenWriter>>()));
        builder.Services.AddSentinels(time);
        builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails(); // any error answer carries a JSON problem body
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = Problems.MaxBodyBytes;
            Listen(k, spec.Controller.Api, "controller.api", l =>
            {
                if (https is null) return;
                l.Protocols = HttpProtocols.Http1AndHttp2;
                l.UseHttps(https);
            });
            k.ListenSentinels();
        });

        WebApplication app = builder.Build();
        // An unexpected failure answers a problem body without internals; it is logged, never shown.
        app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = _ => StatusCodes.Status500InternalServerError });
        app.UseStatusCodePages();
        app.UseApiGuards(spec.Controller);
        // A client that used up its failed sign-ins is refused before its token is looked at.
        app.UseSignInLimits();
        // Before forwarding: a follower forwards no token it does not know.
        app.UseAuthentication();
        app.UseLeaderForwarding(app.Services.GetRequiredService<IClusterState>(), trust);
        app.UseAuthorization();
        app.MapOpenApi("/openapi.json").AllowAnonymous();
        app.MapHealthApi();
        app.MapRequestApi();
        app.MapSiteApi();
        app.MapSiteReportApi();
        app.MapMaintenanceApi();
        app.MapStatusApi();
        app.MapFaultApi();
        app.MapRejoinApi();
        app.MapMetricsApi();
        app.MapWhoAmIApi();
        app.MapDrillApi();
        app.MapDashboard();
        app.MapDrillResultApi();
        app.MapDrillTrendApi();
        app.MapDrillApprovalApi();
        app.MapDrillScheduleApi();
        app.MapDeployWatchApi();
        app.MapClusterApi();
        app.MapReloadApi();
        return app;
    }

    internal static void Listen(KestrelServerOptions k, HostPort at, string key, Action<ListenOptions> configure)
    {
        if (IPAddress.TryParse(at.Host, out IPAddress? ip)) k.Listen(ip, at.Port, configure);
        else if (at.Host == "localhost") k.ListenLocalhost(at.Port, configure);
        else throw new StartupException($"{key}: listen on an IP address or localhost, not '{at.Host}'");
    }
}
