using System.CommandLine;
using Understudy.Cli;

// Ctrl-C and SIGTERM cancel the running command's token; the controller and the demo then stop what
// they started, within the host's own shutdown deadline rather than the parser's default 2 s.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) };
return await CliApp.Build().Parse(args).InvokeAsync(invocation);
