using System.CommandLine;

namespace Understudy.Cli;

internal static class SampleAppCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port", "-p") { Description = "port on 127.0.0.1", Required = true };
        var name = new Option<string>("--name", "-n") { Description = "the name it answers with", DefaultValueFactory = _ => "sample" };
        var cmd = new Command("sample-app", "A tiny HTTP service: GET / answers its name, GET /health answers ok.") { port, name };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 65535) r.AddError("--port must be from 1 to 65535");
        });
        cmd.SetAction((parse, ct) => SampleApp.SampleApp.RunAsync(parse.GetValue(port), parse.GetValue(name)!, ct));
        return cmd;
    }
}
