using System.CommandLine;
using System.Runtime.InteropServices;
using Understudy.Cli;

// A first Ctrl-C or SIGTERM asks the running command to stop: a drill rolls back and writes its report,
// the controller shuts down cleanly. It is registered before any command runs, so there is no moment
// when the signal would kill the process outright; a second one terminates at once, as users expect.
Understudy.Hosting.Signals.Unblock();
using var stop = new CancellationTokenSource();
int signals = 0;
void OnSignal(PosixSignalContext context)
{
    context.Cancel = Interlocked.Increment(ref signals) == 1;
    stop.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

// Piped output (scripts, logs, tests) is not wrapped at 80 columns: a status line or a table row stays on its line,
// as the drill plan's printer already does (a version with its commit made the status header wrap).
if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = Understudy.Drills.DrillPlanPrinter.UnwrappedWidth;

var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
return await CliApp.Build().Parse(args).InvokeAsync(invocation, stop.Token);
