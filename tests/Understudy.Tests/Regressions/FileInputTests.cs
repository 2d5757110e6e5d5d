using Mono.Unix.Native;
using Understudy.Config;

namespace Understudy.Tests.Regressions;

/// <summary>
/// Issue 13, item 10: <c>file:/dev/zero</c> read 4.3 GB then crashed; a FIFO as a secret or as the config itself hung
/// forever, deaf to SIGTERM. Only regular files are read now, secrets up to 64 KiB.
/// </summary>
public sealed class FileInputTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10); // a regression hangs: fail it instead
    private readonly string _folder = Directory.CreateTempSubdirectory("understudy-files-").FullName;

    private string Config(string password) => Write("understudy.yaml", $$"""
        services:
          db:
            kind: postgres
            postgres: { user: app, password: "{{password}}" }
            members:
              - { name: pg1, address: 127.0.0.1:5432 }
              - { name: pg2, address: 127.0.0.1:5433 }
            primary: pg1
        """);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Fifo(string name)
    {
        string path = Path.Combine(_folder, name);
        Assert.Equal(0, Syscall.mkfifo(path, FilePermissions.S_IRUSR | FilePermissions.S_IWUSR));
        return path;
    }

    private static async Task<string> ErrorOfAsync(string configPath)
    {
        ConfigResult result = await Task.Run(() => ConfigLoader.Load(configPath)).WaitAsync(Bound);
        Assert.False(result.Ok);
        return Assert.Single(result.Errors).ToString();
    }

    [Fact]
    public async Task Secret_DevZero_IsRefusedAsNotARegularFile()
    {
        string error = await ErrorOfAsync(Config("file:/dev/zero"));
        Assert.Contains("services.db.postgres.password: cannot read /dev/zero: it is not a regular file (a character device)", error);
    }

    [Fact]
    public async Task Secret_Fifo_IsRefusedWithoutWaitingForAWriter()
    {
        string fifo = Fifo("pg-password");
        string error = await ErrorOfAsync(Config($"file:{fifo}"));
        Assert.Contains("it is not a regular file (a FIFO)", error);
    }

    [Fact]
    public async Task Secret_Over64KiB_IsRefused_AtTheLimitIsRead()
    {
        Write("big", new string('x', 64 * 1024 + 1));
        Assert.Contains($"cannot read {Path.Combine(_folder, "big")}: it is larger than 64 KiB", await ErrorOfAsync(Config("file:big")));

        Write("fits", new string('y', 64 * 1024));
        ConfigResult ok = ConfigLoader.Load(Config("file:fits"));
        Assert.True(ok.Ok, string.Join("\n", ok.Errors));
        Assert.Equal(64 * 1024, ok.Spec!.Services[0].Postgres!.Password!.Length);
    }

    [Fact]
    public async Task ConfigPath_Fifo_IsRefusedWithoutWaitingForAWriter()
    {
        string fifo = Fifo("understudy.yaml");
        string error = await ErrorOfAsync(fifo);
        Assert.EndsWith("cannot read the file: it is not a regular file (a FIFO); only regular files are read", error);
        Assert.StartsWith(fifo, error);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
