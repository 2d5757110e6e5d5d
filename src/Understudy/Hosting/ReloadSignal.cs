using System.Runtime.InteropServices;

namespace Understudy.Hosting;

/// <summary>
/// SIGHUP reloads the config file, as daemons do. Registered by <c>serve</c> before anything else and kept until it
/// exits: without a handler the signal's default action would end the controller (and systemd counts that as a clean
/// exit, so it would not restart it). Outside the time the controller runs, the signal is refused and said so.
/// </summary>
public static partial class ReloadSignal
{
    public static PosixSignalRegistration Register(Func<WebApplication?> app) =>
        PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            if (app() is { } running && running.Services.GetService<IHostApplicationLifetime>() is { ApplicationStarted.IsCancellationRequested: true } lifetime
                && !lifetime.ApplicationStopping.IsCancellationRequested)
                _ = ReloadAsync(running.Services.GetRequiredService<ConfigReloader>(), lifetime, running.Services.GetRequiredService<ILogger<ConfigReloader>>());
            else
                Console.Error.WriteLine("understudy serve: SIGHUP ignored: the controller is starting or stopping; send it again once it runs");
        });

    private static async Task ReloadAsync(ConfigReloader reloader, IHostApplicationLifetime lifetime, ILogger logger)
    {
        try { await reloader.ReloadAsync("SIGHUP", lifetime.ApplicationStopping); }
        catch (Exception e) { Log.Failed(logger, e); } // a failed reload must never end the controller
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 153, Level = LogLevel.Error, Message = "reload on SIGHUP failed unexpectedly, please report")]
        public static partial void Failed(ILogger logger, Exception error);
    }
}
