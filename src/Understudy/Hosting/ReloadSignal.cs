using System.Runtime.InteropServices;

namespace Understudy.Hosting;

/// <summary>SIGHUP reloads the config file, as daemons do; without this handler the runtime would end the process.</summary>
public sealed partial class ReloadSignal(ConfigReloader reloader, IHostApplicationLifetime lifetime, ILogger<ReloadSignal> logger) : IHostedService, IDisposable
{
    private PosixSignalRegistration? _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            _ = ReloadAsync();
        });
        return Task.CompletedTask;
    }

    private async Task ReloadAsync()
    {
        try { await reloader.ReloadAsync("SIGHUP", lifetime.ApplicationStopping); }
        catch (OperationCanceledException) { }
        catch (Exception e) { Log.Failed(logger, e); } // a failed reload must never end the controller
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _registration?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _registration?.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = 153, Level = LogLevel.Error, Message = "reload on SIGHUP failed unexpectedly, please report")]
        public static partial void Failed(ILogger logger, Exception error);
    }
}
