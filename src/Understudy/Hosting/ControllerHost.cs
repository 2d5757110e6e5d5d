using Microsoft.AspNetCore.Connections;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Understudy.Api;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Failover.Actions;
using Understudy.Journal;

namespace Understudy.Hosting;

/// <summary>
/// Builds the controller: rebuilds every service's state from the journal before the host starts
/// (blocking work belongs here, not in ExecuteAsync), then one Kestrel server for the API and every
/// service's proxy listener.
/// </summary>
public static class ControllerHost
{
    public static async Task<WebApplication> CreateAsync(
        UnderstudySpec spec, string configDirectory, TimeProvider? time = null, Action<ILoggingBuilder>? logging = null)
    {
        time ??= TimeProvider.System;
        SqliteJournal journal = await SqliteJournal.OpenAsync(spec.Controller.Journal);
        IReadOnlyList<JournalEvent> history = await journal.ReadAsync(new JournalQuery());

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logging is null) builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; o.UseUtcTimestamp = true; });
        else logging(builder.Logging);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);

        var loggerFactory = LoggerFactory.Create(l => { if (logging is null) l.AddSimpleConsole(o => o.SingleLine = true); else logging(l); });
        var hooks = new HookRunner(configDirectory, time);
        var runtimes = new List<ServiceRuntime>();
        foreach (ServiceSpec service in spec.Services)
        {
            ServiceState state = StateRebuilder.Rebuild(service, history, out string? error);
            if (error is not null)
            {
                await journal.DisposeAsync();
                throw new StartupException($"{service.Name}: {error}");
            }
            runtimes.Add(ServiceRuntime.Create(state, journal, hooks, time, loggerFactory));
        }

        var controller = new Controller(runtimes, journal, time);
        builder.Services.AddSingleton(spec);
        builder.Services.AddSingleton<IJournal>(journal);
        builder.Services.AddSingleton(controller);
        builder.Services.AddHostedService(_ => controller);
        builder.Services.AddSingleton(time);
        builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails(); // any error answer carries a JSON problem body
        builder.WebHost.ConfigureKestrel(k =>
        {
            Listen(k, spec.Controller.Api, "controller.api", _ => { });
            foreach (ServiceRuntime r in runtimes.Where(r => r.Proxy is not null))
                Listen(k, r.Spec.Proxy!.Listen, $"services.{r.Spec.Name}.traffic.proxy.listen", l => l.Run(r.Proxy!.HandleAsync));
        });

        WebApplication app = builder.Build();
        app.MapStatusApi();
        return app;
    }

    private static void Listen(KestrelServerOptions k, HostPort at, string key, Action<ListenOptions> configure)
    {
        if (IPAddress.TryParse(at.Host, out IPAddress? ip)) k.Listen(ip, at.Port, configure);
        else if (at.Host == "localhost") k.ListenLocalhost(at.Port, configure);
        else throw new StartupException($"{key}: listen on an IP address or localhost, not '{at.Host}'");
    }
}
