using Understudy.Config;
using Understudy.Core.Topology;

namespace Understudy.Tests.Config;

/// <summary>Whole files: syntax, emptiness, reading from disk, environment references, many errors at once.</summary>
public partial class ConfigLoaderTests
{
    [Fact]
    public void Parse_YamlSyntaxError_GivesPlaceWithoutStackTrace() => AssertErrors(
        "services:\n  web: [unclosed\n",
        "understudy.yaml:3:1 : YAML syntax error: while parsing a flow sequence, did not find expected ',' or ']'");

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("---\n")]
    public void Parse_EmptyFile_SaysWhatWasExpected(string yaml) => AssertErrors(
        yaml,
        "understudy.yaml:1:1 : the file is empty; expected a mapping with controller and services");

    [Fact]
    public void Parse_SequenceAtTheTop_AsksForAMapping() => AssertErrors(
        "- web\n",
        "understudy.yaml:1:1 : expected a mapping with controller and services, got a sequence");

    [Fact]
    public void Parse_TwoDocuments_AsksForOne() => AssertErrors(
        Base + "\n---\nservices: {}\n",
        "understudy.yaml:9:1 : expected one YAML document, found 2; remove the extra '---'");

    [Fact]
    public void Parse_UnsetEnvironmentVariable_NamesItAndNothingElse() => AssertErrors(
        Web("traffic: { proxy: { listen: \"127.0.0.1:${WEB_PORT}\" } }"),
        "understudy.yaml:8:33 services.web.traffic.proxy.listen: environment variable WEB_PORT is not set");

    [Fact]
    public void Parse_BadValueFromEnvironment_NeverShowsTheValue()
    {
        ConfigResult result = Parse(Web("check: { fall: \"${FALL}\", path: \"${HEALTH_PATH}\" }"),
            new() { ["FALL"] = "0", ["HEALTH_PATH"] = "secret-path" });
        Assert.Equal([
            "understudy.yaml:8:20 services.web.check.fall: must be ≥ 1 (got ${FALL})",
            "understudy.yaml:8:37 services.web.check.path: must start with '/', got '${HEALTH_PATH}'",
        ], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_AddressFromEnvironmentInConflict_IsShownAsWritten()
    {
        ConfigResult result = Parse(Web("traffic: { proxy: { listen: \"${LISTEN}\" } }"), new() { ["LISTEN"] = "127.0.0.1:8081" });
        Assert.Equal(["understudy.yaml:8:33 services.web.traffic.proxy.listen: ${LISTEN} is already used by services.web.members[0].address (member web-a)"],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_DoubledDollar_KeepsTheReferenceLiterally()
    {
        UnderstudySpec spec = AssertValid(Web("hooks: { on_failover: [ { exec: [echo, \"$${HOME}\"] } ] }"));
        Assert.Equal("${HOME}", spec.Services[0].Hooks.OnFailover[0].Exec[1]);
    }

    [Fact]
    public void Parse_ManyErrors_AreAllReportedInOnePassInFileOrder() => AssertErrors("""
        controller:
          api: 127.0.0.1
          journal: ""
        services:
          web:
            kind: http
            members:
              - { name: web-a, address: 127.0.0.1:8081, weight: 3 }
              - { name: web-a, address: 127.0.0.1:99999 }
            primary: web-z
            check: { interval: 1s, timeout: 1s, fall: 0, rise: two }
            failover: { mode: sometimes, cooldown: -1s }
            traffic: { proxy: { listen: 127.0.0.1:8081, hold: forever } }
            hooks: { on_failover: [ { exec: [page, "{{who}}"] } ] }
            targets: { rto: 0, recovery: 5 }
        """,
        "understudy.yaml:2:8 controller.api: expected host:port (e.g. 127.0.0.1:8080), got '127.0.0.1'",
        "understudy.yaml:3:12 controller.journal: expected a file path, got an empty value",
        "understudy.yaml:8:49 services.web.members[0].weight: unknown key (accepted: name, address, priority, pidfile, site)",
        "understudy.yaml:9:17 services.web.members[1].name: duplicate member name 'web-a' (first at line 8)",
        "understudy.yaml:9:33 services.web.members[1].address: port must be a number from 1 to 65535, got '99999'",
        "understudy.yaml:10:14 services.web.primary: 'web-z' is not a member of this service (members: web-a)",
        "understudy.yaml:11:37 services.web.check.timeout: must be shorter than interval (1s), got 1s",
        "understudy.yaml:11:47 services.web.check.fall: must be ≥ 1 (got 0)",
        "understudy.yaml:11:56 services.web.check.rise: expected an integer, got 'two'",
        "understudy.yaml:12:23 services.web.failover.mode: expected one of automatic, manual, got 'sometimes'",
        "understudy.yaml:12:44 services.web.failover.cooldown: a duration cannot be negative (got '-1s'); use ms, s, m or h",
        "understudy.yaml:13:33 services.web.traffic.proxy.listen: 127.0.0.1:8081 is already used by services.web.members[0].address (member web-a)",
        "understudy.yaml:13:55 services.web.traffic.proxy.hold: expected a duration such as 200ms, 5s, 2m or 1h, got 'forever'",
        "understudy.yaml:14:44 services.web.hooks.on_failover[0].exec[1]: unknown placeholder '{{who}}' (allowed: {{service}}, {{old_primary}}, {{new_primary}}, {{epoch}}, {{new_primary_address}}, {{new_primary_host}}, {{new_primary_port}}, {{old_primary_address}})",
        "understudy.yaml:15:21 services.web.targets.rto: must be > 0 (got 0)",
        "understudy.yaml:15:34 services.web.targets.recovery: '5' has no unit; use ms, s, m or h, e.g. 5s");

    [Fact]
    public void Load_MissingFile_OneErrorNamingThePathAsGiven()
    {
        string path = Path.Combine("no-such-folder", "understudy.yaml");
        ConfigResult result = ConfigLoader.Load(path);
        Assert.Equal([$"{path}:0:0 : no such file (looked for {Path.GetFullPath(path)})"], result.Errors.Select(e => e.ToString()));
        Assert.False(result.Ok);
    }

    [Fact]
    public void Load_Folder_AsksForAFile()
    {
        string folder = Directory.CreateTempSubdirectory("understudy-conf-").FullName;
        ConfigResult result = ConfigLoader.Load(folder);
        Assert.Equal([$"{folder}:0:0 : this is a folder; expected a YAML file such as {Path.Combine(folder, "understudy.yaml")}"],
            result.Errors.Select(e => e.ToString()));
        Directory.Delete(folder);
    }

    [Fact]
    public void Load_FileOnDisk_ResolvesPathsAgainstItsFolderAndNamesItAsGiven()
    {
        string folder = Directory.CreateTempSubdirectory("understudy-conf-").FullName;
        try
        {
            string path = Path.Combine(folder, "x.yaml");
            File.WriteAllText(path, Base);
            Assert.Equal(Path.Combine(folder, "understudy.db"), ConfigLoader.Load(path).Spec!.Controller.Journal);

            File.WriteAllText(path, Base + "\nbogus: 1");
            Assert.Equal([$"{path}:8:1 bogus: unknown key (accepted: controller, services, alerts, sites, drills)"],
                ConfigLoader.Load(path).Errors.Select(e => e.ToString()));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Load_WebExample_IsValid()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Understudy.slnx"))) root = Path.GetDirectoryName(root)!;
        ConfigResult result = ConfigLoader.Load(Path.Combine(root, "examples", "web", "understudy.yaml"));
        Assert.Empty(result.Errors.Select(e => e.ToString()));
        Assert.All(result.Spec!.Services, s => Assert.Equal("127.0.0.1", s.Proxy!.Listen.Host));
    }

    [Fact]
    public void Load_ClusterExample_EachInstanceValidAndTheyAgreeOnTheServices()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Understudy.slnx"))) root = Path.GetDirectoryName(root)!;
        string folder = Path.Combine(root, "examples", "cluster");
        var env = new Dictionary<string, string> { ["PROMETHEUS_TOKEN"] = "prometheus-token-0123456789", ["ALICE_TOKEN"] = "alice-token-0123456789", ["BOB_TOKEN"] = "bob-token-0123456789" };
        // The TLS files the README has one make, beside a copy of the files.
        string hosts = Directory.CreateTempSubdirectory("understudy-example-").FullName;
        string tls = Directory.CreateDirectory(Path.Combine(hosts, "tls")).FullName;
        try
        {
            using var ca = Testing.Certificates.Authority(tls, "ca");
            var digests = new List<string>();
            foreach (var (name, ip) in new[] { ("ctl-a", "10.0.0.11"), ("ctl-b", "10.0.0.12"), ("ctl-c", "10.0.0.13") })
            {
                Testing.Certificates.SignedBy(ca, tls, name, ip);
                string file = Path.Combine(folder, $"{name}.yaml");
                ConfigResult result = ConfigLoader.Parse(File.ReadAllText(file), file, hosts, v => env.GetValueOrDefault(v));
                Assert.Empty(result.Errors.Select(e => e.ToString()));
                Assert.Equal((name, "shop", $"https://{ip}:7400/"), (result.Spec!.Controller.Name, result.Spec.Controller.Coordination!.Cluster, result.Spec.Controller.ApiUrl.ToString()));
                digests.Add(Understudy.Coordination.ServiceDigest.Of(result.Spec).Sha256);
            }
            Assert.Single(digests.Distinct());
        }
        finally
        {
            Directory.Delete(hosts, recursive: true);
        }
    }
}
