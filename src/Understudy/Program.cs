using System.CommandLine;
using Understudy.Cli;

// Ctrl-C and SIGTERM cancel the running command's token; the controller, a drill and the demo then stop
// what they started. A drill's rollback steps have their own timeouts, so the process waits for them
// (up to 10 minutes) rather than the parser's default 2 s.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(10) };
return await CliApp.Build().Parse(args).InvokeAsync(invocation);
