using Understudy.Core.Drills;
using Understudy.Drills;
namespace Understudy.Tests.Drills.Loading;

/// <summary>probes: the Redis kinds, redis_write (SET per attempt, read back for the RPO) and redis (PING or GET).</summary>
public partial class DrillLoaderTests
{
    [Fact]
    public void Parse_RedisWriteProbe_FillsTheDefaults()
    {
        ProbeSpec p = AssertValid(WithProbes("{ name: cache, redis_write: { address: 127.0.0.1:6390 } }")).Probes[0];

        Assert.Equal((ProbeKind.RedisWrite, "127.0.0.1:6390", false, ProbeDefaults.Interval), (p.Kind, p.Target, p.KeepAlive, p.Interval));
        Assert.Equal(new RedisProbeSpec(null, "understudy:probe", null, null, RedisReadCommand.Ping), p.Redis);
        Assert.Equal("127.0.0.1:6390", p.Shown);
    }

    [Fact]
    public void Parse_RedisWriteProbe_KeepsEverySettingAndShowsNoPassword()
    {
        var spec = AssertValid(WithProbes(
            "{ name: cache, redis_write: { address: 127.0.0.1:6390, password: \"${REDIS_PASSWORD}\", key_prefix: \"drills:cache\", keepalive: true, interval: 10ms, timeout: 300ms, verify: { address: 127.0.0.1:6380 } } }"),
            new() { ["REDIS_PASSWORD"] = "s3cret" });

        ProbeSpec p = spec.Probes[0];
        Assert.Equal((true, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(300)), (p.KeepAlive, p.Interval, p.Timeout));
        // verify's password defaults to the probe's: usually the same servers behind the proxy.
        Assert.Equal(new RedisProbeSpec("s3cret", "drills:cache", "127.0.0.1:6380", "s3cret", RedisReadCommand.Ping), p.Redis);
        Assert.Equal("127.0.0.1:6390 (read back on 127.0.0.1:6380)", p.Shown);
    }

    [Fact]
    public void Parse_RedisPasswordFromAFile_ReadsTheFileBesideTheDrill()
    {
        Directory.CreateDirectory(Folder);
        string file = Path.Combine(Folder, $"redis-password-{Guid.NewGuid():N}.txt");
        File.WriteAllText(file, "from-file\n");
        try
        {
            ProbeSpec p = AssertValid(WithProbes(
                $"{{ name: cache, redis_write: {{ address: 127.0.0.1:6390, verify: {{ address: 127.0.0.1:6380, password: \"file:{Path.GetFileName(file)}\" }} }} }}")).Probes[0];

            Assert.Equal((null, "from-file"), (p.Redis!.Password, p.Redis.VerifyPassword));
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void Parse_RedisProbe_TakesPingOrGet()
    {
        var spec = AssertValid(WithProbes(
            "{ name: ping, redis: { address: 127.0.0.1:6390 } }",
            "{ name: get, redis: { address: \"[::1]:6390\", command: GET, password: pw, keepalive: true } }",
            "{ name: lower, redis: { address: 127.0.0.1:6390, command: get } }"));

        Assert.Equal([(ProbeKind.Redis, RedisReadCommand.Ping, null), (ProbeKind.Redis, RedisReadCommand.Get, "pw"), (ProbeKind.Redis, RedisReadCommand.Get, null)],
            spec.Probes.Select(p => (p.Kind, p.Redis!.Command, p.Redis.Password)));
        Assert.Equal("[::1]:6390", spec.Probes[1].Target);
    }

    [Fact]
    public void Parse_RedisWriteProbeWithoutAddress_SaysWhatItTakes() => AssertErrors(
        WithProbes("{ name: cache, redis_write: { key_prefix: x } }"),
        "drill.yaml:3:33 probes[0].redis_write.address: required: the server's host:port, usually the service's proxy, e.g. address: 127.0.0.1:6390");

    [Fact]
    public void Parse_RedisProbesWithBadValues_AreEachReported() => AssertErrors(
        WithProbes(
            "{ name: cache, redis_write: { address: localhost, key_prefix: \"my prefix\", verify: { address: 127.0.0.1 } } }",
            "{ name: ping, redis: { address: 127.0.0.1:99999, command: INFO } }"),
        "drill.yaml:3:44 probes[0].redis_write.address: expected host:port (e.g. 127.0.0.1:8080), got 'localhost'",
        "drill.yaml:3:67 probes[0].redis_write.key_prefix: expected a key prefix of 1 to 100 characters without spaces, e.g. understudy:probe, got 'my prefix'",
        "drill.yaml:3:99 probes[0].redis_write.verify.address: expected host:port (e.g. 127.0.0.1:8080), got '127.0.0.1'",
        "drill.yaml:4:37 probes[1].redis.address: port must be a number from 1 to 65535, got '99999'",
        "drill.yaml:4:63 probes[1].redis.command: expected one of PING, GET, got 'INFO'");

    [Fact]
    public void Parse_RedisProbesWithUnknownOrForeignKeys_SayWhatTheyTake() => AssertErrors(
        WithProbes(
            "{ name: cache, redis_write: { address: 127.0.0.1:6390, url: \"redis://x\", command: GET, ttl: 1d } }",
            "{ name: ping, redis: { address: 127.0.0.1:6390, key_prefix: x, connection: y } }"),
        "drill.yaml:3:60 probes[0].redis_write.url: redis_write probes take address (host:port), not url",
        "drill.yaml:3:78 probes[0].redis_write.command: only for redis probes (redis_write probes always SET)",
        "drill.yaml:3:92 probes[0].redis_write.ttl: unknown key (accepted: address, password, key_prefix, verify, interval, timeout, keepalive, max_in_flight)",
        "drill.yaml:4:53 probes[1].redis.key_prefix: only for redis_write probes",
        "drill.yaml:4:68 probes[1].redis.connection: redis probes take address (host:port) and password, not connection");

    [Fact]
    public void Parse_EmptyRedisPassword_IsAnErrorThatQuotesNothing() => AssertErrors(
        WithProbes(
            "{ name: cache, redis_write: { address: 127.0.0.1:6390, password: \"\" } }",
            "{ name: ping, redis: { address: 127.0.0.1:6390, password: \"file:\" } }"),
        "drill.yaml:3:70 probes[0].redis_write.password: the password is empty; leave password out when the server asks for none",
        "drill.yaml:4:63 probes[1].redis.password: expected a file path after 'file:', got an empty value");

    [Fact]
    public void Parse_RedisPasswordFromAnEmptyVariable_IsEmpty()
    {
        DrillResult result = Parse(WithProbes("{ name: cache, redis: { address: 127.0.0.1:6390, password: \"${REDIS_PASSWORD}\" } }"), new() { ["REDIS_PASSWORD"] = "" });

        Assert.Equal(["drill.yaml:3:64 probes[0].redis.password: the password is empty; leave password out when the server asks for none"],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_RedisWriteVerifyWithoutAddress_AsksForIt() => AssertErrors(
        WithProbes(
            "{ name: a, redis_write: { address: 127.0.0.1:6390, verify: { password: pw, host: x } } }",
            "{ name: b, redis_write: { address: 127.0.0.1:6390, verify: } }"),
        "drill.yaml:3:64 probes[0].redis_write.verify.address: required: the final primary's host:port, e.g. verify: { address: 127.0.0.1:6380 }",
        "drill.yaml:3:80 probes[0].redis_write.verify.host: unknown key (accepted: address, password)",
        "drill.yaml:4:64 probes[1].redis_write.verify: expected a mapping with the final primary's address, e.g. verify: { address: 127.0.0.1:6380 }; leave verify out to read back through address");
}
