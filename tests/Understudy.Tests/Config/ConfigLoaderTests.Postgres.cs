using Understudy.Config;
using Understudy.Core.Topology;

namespace Understudy.Tests.Config;

/// <summary>kind postgres: the connection, members that never take over, lag and synchronous modes, fence and rejoin.</summary>
public partial class ConfigLoaderTests
{
    /// <summary>Seven lines, as <see cref="Base"/>; a test adds service keys from line 8 on with <see cref="Pg"/>.</summary>
    private const string PgBase = """
        services:
          db:
            kind: postgres
            postgres: { user: app, database: shop }
            members:
              - { name: pg1, address: 127.0.0.1:5432 }
              - { name: pg2, address: 127.0.0.1:5433 }
        """;

    /// <summary>PgBase, then <paramref name="serviceLines"/> as keys of service db: line 8 on, 4 columns in.</summary>
    private static string Pg(string serviceLines) =>
        PgBase + "\n" + string.Join("\n", serviceLines.Split('\n').Select(l => "    " + l));

    // ---- valid files ----

    [Fact]
    public void Parse_PostgresIssueExample_RoundTripsIntoSpec()
    {
        UnderstudySpec spec = AssertValid("""
            services:
              orders-db:
                kind: postgres
                postgres: { user: postgres, database: postgres }
                members:
                  - { name: pg1, address: 127.0.0.1:5432 }
                  - { name: pg2, address: 127.0.0.1:5433 }
                check: { interval: 200ms, timeout: 150ms, fall: 2, rise: 2 }
                failover: { mode: automatic, max_lag: 1MB, synchronous: true }
                traffic:
                  proxy: { listen: 127.0.0.1:6432 }
            """);

        ServiceSpec db = Assert.Single(spec.Services);
        Assert.Equal(("orders-db", ServiceKind.Postgres, "pg1"), (db.Name, db.Kind, db.Primary));
        Assert.Equal([new MemberSpec("pg1", new("127.0.0.1", 5432)), new MemberSpec("pg2", new("127.0.0.1", 5433))], db.Members.AsEnumerable());
        Assert.Equal(new PostgresSpec("postgres", null, "postgres"), db.Postgres);
        Assert.Equal(new CheckSpec(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(150), 2, 2), db.Check);
        Assert.Equal(new FailoverSpec(FailoverMode.Automatic, FailoverDefaults.Cooldown, 1_048_576, Synchronous: true), db.Failover);
        Assert.Equal(new ProxySpec(new("127.0.0.1", 6432), ProxyDefaults.Hold), db.Proxy);
    }

    [Fact]
    public void Parse_EveryPostgresKeySet_RoundTripsIntoSpec()
    {
        string dataRoot = Path.Combine(Path.GetTempPath(), "pg-elsewhere");
        UnderstudySpec spec = AssertValid($$$"""
            services:
              orders-db:
                kind: postgres
                postgres:
                  user: understudy
                  password: "${PGPASSWORD}"
                  database: orders
                  rejoin:
                    exec: [./rejoin.sh, "{{service}}", "{{member}}", "{{data_dir}}", "{{primary_host}}:{{primary_port}}", "{{new_primary}}"]
                    timeout: 5m
                members:
                  - { name: pg1, address: 127.0.0.1:5432, priority: 2, data_dir: data/pg1, pidfile: data/pg1/postmaster.pid }
                  - { name: pg2, address: 127.0.0.1:5433, data_dir: {{{Path.Combine(dataRoot, "pg2")}}}, nofailover: false }
                  - { name: pg3, address: 127.0.0.1:5434, nofailover: true }
                primary: pg2
                check: { interval: 500ms, fall: 2, rise: 1 }
                failover: { mode: manual, cooldown: 10s, max_lag: 512kB, synchronous: true, synchronous_strict: true }
                traffic:
                  proxy: { listen: 127.0.0.1:6432, hold: 2s }
                hooks:
                  fence: [ { exec: [stop-old, "{{old_primary}}", "{{epoch}}"], timeout: 10s }, { exec: [audit, "{{service}}->{{new_primary}}"] } ]
                  on_failover: [ { exec: [notify, "{{new_primary}}"] } ]
                targets: { rto: 10s, rpo: 0 }
            """, new() { ["PGPASSWORD"] = "s3cret" });

        ServiceSpec db = Assert.Single(spec.Services);
        Assert.Equal((ServiceKind.Postgres, "pg2"), (db.Kind, db.Primary));
        Assert.Equal([
            new MemberSpec("pg1", new("127.0.0.1", 5432), 2, Path.Combine(Folder, "data", "pg1", "postmaster.pid"), false, Path.Combine(Folder, "data", "pg1")),
            new MemberSpec("pg2", new("127.0.0.1", 5433), 0, null, false, Path.Combine(dataRoot, "pg2")),
            new MemberSpec("pg3", new("127.0.0.1", 5434), NoFailover: true),
        ], db.Members.AsEnumerable());

        PostgresSpec postgres = db.Postgres!;
        Assert.Equal(("understudy", "s3cret", "orders"), (postgres.User, postgres.Password, postgres.Database));
        Assert.Equal(["./rejoin.sh", "{{service}}", "{{member}}", "{{data_dir}}", "{{primary_host}}:{{primary_port}}", "{{new_primary}}"],
            postgres.Rejoin!.Exec.AsEnumerable());
        Assert.Equal(TimeSpan.FromMinutes(5), postgres.Rejoin.Timeout);
        Assert.DoesNotContain("s3cret", postgres.ToString());

        Assert.Equal(new CheckSpec(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(250), 2, 1), db.Check);
        Assert.Equal(new FailoverSpec(FailoverMode.Manual, TimeSpan.FromSeconds(10), 524_288, true, true), db.Failover);
        Assert.Equal(new ProxySpec(new("127.0.0.1", 6432), TimeSpan.FromSeconds(2)), db.Proxy);
        Assert.Equal(2, db.Hooks.Fence.Length);
        Assert.Equal(["stop-old", "{{old_primary}}", "{{epoch}}"], db.Hooks.Fence[0].Exec.AsEnumerable());
        Assert.Equal(TimeSpan.FromSeconds(10), db.Hooks.Fence[0].Timeout);
        Assert.Equal(["audit", "{{service}}->{{new_primary}}"], db.Hooks.Fence[1].Exec.AsEnumerable());
        Assert.Equal(HookDefaults.Timeout, db.Hooks.Fence[1].Timeout);
        Assert.Equal(["notify", "{{new_primary}}"], Assert.Single(db.Hooks.OnFailover).Exec.AsEnumerable());
        Assert.Empty(db.Hooks.OnSwitchover);
        Assert.Equal(new TargetsSpec(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), new RpoTarget(0, null)), db.Targets);
    }

    [Fact]
    public void Parse_SmallestPostgres_FillsEveryDefaultAndTakesTheFirstMemberAsPrimary()
    {
        UnderstudySpec spec = AssertValid(PgBase.Replace("postgres: { user: app, database: shop }", "postgres:"));

        ServiceSpec db = Assert.Single(spec.Services);
        Assert.Equal("pg1", db.Primary);
        Assert.Equal(new PostgresSpec(PostgresDefaults.User, null, PostgresDefaults.Database, null), db.Postgres);
        Assert.Equal(("postgres", "postgres"), (db.Postgres!.User, db.Postgres.Database));
        Assert.Equal(new FailoverSpec(FailoverMode.Automatic, TimeSpan.FromSeconds(30), 1_048_576, false, false), db.Failover);
        Assert.All(db.Members, m => Assert.Equal((false, null), (m.NoFailover, m.DataDir)));
        Assert.Equal((0, 0, 0), (db.Hooks.OnFailover.Length, db.Hooks.OnSwitchover.Length, db.Hooks.Fence.Length));
        Assert.Equal(new CheckSpec(CheckDefaults.Interval, CheckDefaults.TimeoutFor(CheckDefaults.Interval), CheckDefaults.Fall, CheckDefaults.Rise), db.Check);
    }

    [Fact]
    public void Parse_PostgresRejoinWithoutTimeout_WaitsTwoMinutes()
    {
        UnderstudySpec spec = AssertValid(PgBase.Replace("database: shop }", "database: shop, rejoin: { exec: [rejoin, \"{{member}}\"] } }"));
        Assert.Equal(TimeSpan.FromMinutes(2), spec.Services[0].Postgres!.Rejoin!.Timeout);
        Assert.Equal(PostgresDefaults.RejoinTimeout, spec.Services[0].Postgres!.Rejoin!.Timeout);
    }

    [Fact]
    public void Parse_PostgresPrimaryHint_IsKept() =>
        Assert.Equal("pg2", AssertValid(Pg("primary: pg2")).Services[0].Primary);

    [Fact]
    public void Parse_AllButOneMemberNoFailover_IsValid()
    {
        ServiceSpec db = AssertValid(PgBase.Replace("5433 }", "5433, nofailover: true }") + "\n      - { name: pg3, address: 127.0.0.1:5434, nofailover: true }").Services[0];
        Assert.Equal([false, true, true], db.Members.Select(m => m.NoFailover));
    }

    [Fact]
    public void Parse_PasswordFromFile_IsItsTextWithoutTheTrailingNewline()
    {
        string folder = Directory.CreateTempSubdirectory("understudy-pg-").FullName;
        try
        {
            string secret = Path.Combine(folder, "pg-password");
            File.WriteAllText(secret, "correct horse \n");
            UnderstudySpec spec = AssertValid(PgBase.Replace("user: app", $"user: app, password: \"file:{secret}\""));
            Assert.Equal("correct horse ", spec.Services[0].Postgres!.Password);

            // A path built from the environment works as any value does.
            spec = AssertValid(PgBase.Replace("user: app", "user: app, password: \"file:${SECRETS}/pg-password\""), new() { ["SECRETS"] = folder });
            Assert.Equal("correct horse ", spec.Services[0].Postgres!.Password);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Load_RelativePasswordFile_IsReadFromTheConfigFolder()
    {
        string folder = Directory.CreateTempSubdirectory("understudy-pg-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "secrets"));
            File.WriteAllText(Path.Combine(folder, "secrets", "pg"), "from-file\r\n");
            string path = Path.Combine(folder, "understudy.yaml");
            File.WriteAllText(path, PgBase.Replace("user: app", "user: app, password: file:secrets/pg"));
            ConfigResult result = ConfigLoader.Load(path);
            Assert.Empty(result.Errors);
            Assert.Equal("from-file", result.Spec!.Services[0].Postgres!.Password);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Parse_FileReferenceOutsideASecret_StaysLiteralText()
    {
        // Only secrets read files: a hook argument, or an environment value that starts with "file:", is text.
        UnderstudySpec spec = AssertValid(Pg("hooks: { on_failover: [ { exec: [curl, \"file:///tmp/x\"] } ] }")
            .Replace("user: app", "user: app, password: \"${PGPASSWORD}\""), new() { ["PGPASSWORD"] = "file:not-a-path" });
        Assert.Equal("file:///tmp/x", spec.Services[0].Hooks.OnFailover[0].Exec[1]);
        Assert.Equal("file:not-a-path", spec.Services[0].Postgres!.Password);
    }

    [Fact]
    public void Load_PostgresExample_IsValid()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Understudy.slnx"))) root = Path.GetDirectoryName(root)!;
        string example = Path.Combine(root, "examples", "postgres", "understudy.yaml");
        ConfigResult result = ConfigLoader.Load(example);
        Assert.Empty(result.Errors.Select(e => e.ToString()));
        ServiceSpec db = Assert.Single(result.Spec!.Services);
        Assert.Equal(ServiceKind.Postgres, db.Kind);
        Assert.True(db.Failover.Synchronous);
        Assert.Equal(new HostPort("127.0.0.1", 6432), db.Proxy!.Listen);
        Assert.All(db.Members, m => Assert.Equal(Path.Combine(Path.GetDirectoryName(example)!, "data", m.Name), m.DataDir));
    }

    // ---- bad files: keys of one kind on another ----

    [Fact]
    public void Parse_PostgresSectionOnHttp_IsOnlyForPostgres() => AssertErrors(
        Web("postgres: { user: app }"),
        "understudy.yaml:8:5 services.web.postgres: only for kind postgres (this service is http)");

    [Fact]
    public void Parse_PostgresWithoutPostgresSection_SaysItIsRequired() => AssertErrors(
        PgBase.Replace("    postgres: { user: app, database: shop }\n", ""),
        "understudy.yaml:3:5 services.db.postgres: required: how to connect to the members, e.g. { user: postgres, database: postgres }");

    [Fact]
    public void Parse_NoFailoverOnTcp_IsOnlyForPostgres() => AssertErrors(
        Base.Replace("kind: http", "kind: tcp").Replace("8082 }", "8082, nofailover: true }"),
        "understudy.yaml:6:49 services.web.members[1].nofailover: only for kinds postgres and redis (this service is tcp)");

    [Fact]
    public void Parse_DataDirOnHttp_IsOnlyForPostgres() => AssertErrors(
        Base.Replace("8081 }", "8081, data_dir: data/a }"),
        "understudy.yaml:5:49 services.web.members[0].data_dir: only for kind postgres (this service is http)");

    [Fact]
    public void Parse_ReplicationFailoverKeysOnTcp_AreOnlyForPostgresAndRedis() => AssertErrors(
        Base.Replace("kind: http", "kind: tcp") + "\n    failover: { max_lag: 1MB, synchronous: true }\n    hooks: { fence: [ { exec: [stop] } ] }",
        "understudy.yaml:8:17 services.web.failover.max_lag: only for kinds postgres and redis (this service is tcp)",
        "understudy.yaml:8:31 services.web.failover.synchronous: only for kinds postgres and redis (this service is tcp)");

    [Fact]
    public void Parse_HttpCheckKeysOnPostgres_AreOnlyForHttp() => AssertErrors(
        Pg("check: { interval: 1s, path: /health, expect_status: 200 }"),
        "understudy.yaml:8:28 services.db.check.path: only for kind http (this service is postgres)",
        "understudy.yaml:8:43 services.db.check.expect_status: only for kind http (this service is postgres)");

    [Fact]
    public void Parse_UnknownKeyOnHttpMember_ListsOnlyItsOwnKeys() => AssertErrors(
        Base.Replace("8081 }", "8081, nofailovr: true }"),
        "understudy.yaml:5:49 services.web.members[0].nofailovr: unknown key (accepted: name, address, priority, pidfile, site)");

    [Fact]
    public void Parse_MisspeltKeyOnPostgresMember_SuggestsTheKey() => AssertErrors(
        PgBase.Replace("5432 }", "5432, dataDir: data/pg1 }"),
        "understudy.yaml:6:47 services.db.members[0].dataDir: unknown key; did you mean 'data_dir'? (accepted: name, address, priority, pidfile, site, nofailover, data_dir)");

    [Fact]
    public void Parse_UnknownKeyInPostgresSection_ListsTheAcceptedOnes() => AssertErrors(
        PgBase.Replace("user: app", "host: db.internal, user: app"),
        "understudy.yaml:4:17 services.db.postgres.host: unknown key (accepted: user, password, database, rejoin)");

    // ---- bad files: values ----

    [Theory]
    [InlineData("1 MB", "understudy.yaml:8:26 services.db.failover.max_lag: expected a size such as 512kB or 1MB, got '1 MB'")]
    [InlineData("lots", "understudy.yaml:8:26 services.db.failover.max_lag: expected a size such as 512kB or 1MB, got 'lots'")]
    [InlineData("0", "understudy.yaml:8:26 services.db.failover.max_lag: must be > 0 (got 0)")]
    [InlineData("0MB", "understudy.yaml:8:26 services.db.failover.max_lag: must be > 0 (got 0MB)")]
    [InlineData("1mb", "understudy.yaml:8:26 services.db.failover.max_lag: unknown unit 'mb' in '1mb'; did you mean 'MB'? use kB, MB or GB (1024-based), or a whole number of bytes")]
    [InlineData("-1MB", "understudy.yaml:8:26 services.db.failover.max_lag: a size cannot be negative (got '-1MB')")]
    [InlineData("[1MB]", "understudy.yaml:8:26 services.db.failover.max_lag: expected a size such as 512kB or 1MB, got a sequence")]
    public void Parse_BadMaxLag_SaysWhatASizeIs(string maxLag, string expected) => AssertErrors(
        Pg($"failover: {{ max_lag: {maxLag} }}"),
        expected);

    [Fact]
    public void Parse_SynchronousStrictWithoutSynchronous_IsRefused() => AssertErrors(
        Pg("failover: { synchronous_strict: true }"),
        "understudy.yaml:8:37 services.db.failover.synchronous_strict: requires synchronous: true (it is false by default)");

    [Fact]
    public void Parse_SynchronousStrictWithSynchronousFalse_IsRefused() => AssertErrors(
        Pg("failover: { synchronous: false, synchronous_strict: true }"),
        "understudy.yaml:8:57 services.db.failover.synchronous_strict: requires synchronous: true");

    [Fact]
    public void Parse_SynchronousYes_AsksForTrueOrFalse() => AssertErrors(
        Pg("failover: { synchronous: yes }"),
        "understudy.yaml:8:30 services.db.failover.synchronous: expected true or false, got 'yes'");

    [Fact]
    public void Parse_EveryMemberNoFailover_NeedsOneThatCanTakeOver() => AssertErrors(
        PgBase.Replace("5432 }", "5432, nofailover: true }").Replace("5433 }", "5433, nofailover: true }"),
        "understudy.yaml:6:7 services.db.members: every member has nofailover: true; at least one must be able to become primary");

    [Fact]
    public void Parse_NoFailoverNotABoolean_AsksForTrueOrFalse() => AssertErrors(
        PgBase.Replace("5432 }", "5432, nofailover: 1 }"),
        "understudy.yaml:6:59 services.db.members[0].nofailover: expected true or false, got '1'");

    [Fact]
    public void Parse_EmptyDataDir_AsksForAPath() => AssertErrors(
        PgBase.Replace("5432 }", "5432, data_dir: \"\" }"),
        "understudy.yaml:6:57 services.db.members[0].data_dir: expected a file path, got an empty value");

    [Fact]
    public void Parse_PostgresPrimaryHintNamingNoMember_ListsTheMembers() => AssertErrors(
        Pg("primary: pg9"),
        "understudy.yaml:8:14 services.db.primary: 'pg9' is not a member of this service (members: pg1, pg2)");

    [Fact]
    public void Parse_UnknownPlaceholderInFence_ListsTheHookPlaceholders() => AssertErrors(
        Pg("hooks: { fence: [ { exec: [stop, \"{{member}}\"] } ] }"),
        "understudy.yaml:8:38 services.db.hooks.fence[0].exec[1]: unknown placeholder '{{member}}' (allowed: {{service}}, {{old_primary}}, {{new_primary}}, {{epoch}}, {{new_primary_address}}, {{new_primary_host}}, {{new_primary_port}}, {{old_primary_address}})");

    [Fact]
    public void Parse_FenceHookRequired_DefaultsToTrueAndTakesFalse()
    {
        UnderstudySpec spec = AssertValid(Pg("hooks: { fence: [ { exec: [stop] }, { exec: [audit], required: false } ] }"));

        Assert.Equal([true, false], Assert.Single(spec.Services).Hooks.Fence.Select(h => h.Required));
    }

    [Fact]
    public void Parse_FenceHookRequiredNotABoolean_NamesTheKey() => AssertErrors(
        Pg("hooks: { fence: [ { exec: [stop], required: maybe } ] }"),
        "understudy.yaml:8:49 services.db.hooks.fence[0].required: expected true or false, got 'maybe'");

    [Fact]
    public void Parse_RequiredOnAnOnFailoverHook_IsAnUnknownKey() => AssertErrors(
        Pg("hooks: { on_failover: [ { exec: [notify], required: false } ] }"),
        "understudy.yaml:8:47 services.db.hooks.on_failover[0].required: unknown key (accepted: exec, timeout)");

    [Fact]
    public void Parse_UnknownPlaceholderInRejoin_ListsTheRejoinPlaceholders() => AssertErrors(
        PgBase.Replace("database: shop }", "database: shop, rejoin: { exec: [rejoin, \"{{old_primary}}\"] } }"),
        "understudy.yaml:4:69 services.db.postgres.rejoin.exec[1]: unknown placeholder '{{old_primary}}' (allowed: {{service}}, {{member}}, {{data_dir}}, {{primary_host}}, {{primary_port}}, {{new_primary}})");

    [Fact]
    public void Parse_RejoinAsAList_AsksForOneCommand() => AssertErrors(
        PgBase.Replace("database: shop }", "database: shop, rejoin: [ { exec: [rejoin] } ] }"),
        "understudy.yaml:4:52 services.db.postgres.rejoin: expected a mapping, got a sequence");

    [Fact]
    public void Parse_RejoinTimeoutZero_MustBePositive() => AssertErrors(
        PgBase.Replace("database: shop }", "database: shop, rejoin: { exec: [rejoin], timeout: 0 } }"),
        "understudy.yaml:4:79 services.db.postgres.rejoin.timeout: must be > 0 (got 0)");

    [Fact]
    public void Parse_EmptyUserAndDatabase_AskForNames() => AssertErrors(
        PgBase.Replace("user: app, database: shop", "user: \"\", database: \"\""),
        "understudy.yaml:4:23 services.db.postgres.user: expected a user name, got an empty value",
        "understudy.yaml:4:37 services.db.postgres.database: expected a database name, got an empty value");

    [Fact]
    public void Parse_PasswordFromUnsetVariable_NamesTheVariable() => AssertErrors(
        PgBase.Replace("user: app", "user: app, password: \"${PGPASSWORD}\""),
        "understudy.yaml:4:38 services.db.postgres.password: environment variable PGPASSWORD is not set");

    [Fact]
    public void Parse_PasswordFromEmptyVariable_SaysToLeaveItOutAndNeverShowsIt()
    {
        ConfigResult result = Parse(PgBase.Replace("user: app", "user: app, password: \"${PGPASSWORD}\""), new() { ["PGPASSWORD"] = "" });
        Assert.Equal(["understudy.yaml:4:38 services.db.postgres.password: the password is empty; leave password out for trust or peer authentication"],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_PasswordFileMissing_NamesThePathNeverTheContent()
    {
        string missing = Path.Combine(Path.GetTempPath(), "understudy-no-such-folder", "pg-password");
        AssertErrors(
            PgBase.Replace("user: app", $"user: app, password: \"file:{missing}\""),
            $"understudy.yaml:4:38 services.db.postgres.password: cannot read {missing}: no such file");
    }

    [Fact]
    public void Parse_RelativePasswordFileMissing_NamesTheResolvedPath() => AssertErrors(
        PgBase.Replace("user: app", "user: app, password: file:secrets/pg"),
        $"understudy.yaml:4:38 services.db.postgres.password: cannot read {Path.Combine(Folder, "secrets", "pg")}: no such file");

    [Fact]
    public void Parse_PasswordFilePathFromEnvironment_IsShownAsWritten()
    {
        ConfigResult result = Parse(PgBase.Replace("user: app", "user: app, password: \"file:${SECRETS}/pg\""),
            new() { ["SECRETS"] = Path.Combine(Path.GetTempPath(), "understudy-no-such-folder") });
        Assert.Equal(["understudy.yaml:4:38 services.db.postgres.password: cannot read file:${SECRETS}/pg: no such file"],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_PasswordFileIsAFolder_SaysSo() => AssertErrors(
        PgBase.Replace("user: app", $"user: app, password: \"file:{Path.GetTempPath()}\""),
        $"understudy.yaml:4:38 services.db.postgres.password: cannot read {Path.GetFullPath(Path.GetTempPath())}: it is a folder");

    [Fact]
    public void Parse_PasswordFileWithoutPath_AsksForOne() => AssertErrors(
        PgBase.Replace("user: app", "user: app, password: \"file:\""),
        "understudy.yaml:4:38 services.db.postgres.password: expected a file path after 'file:', got an empty value");

    [Fact]
    public void Parse_ManyPostgresErrors_AreAllReportedInOnePass() => AssertErrors("""
        services:
          db:
            kind: postgres
            postgres: { user: app, password: "file:missing/pg", rejoin: { exec: [r, "{{epoch}}"] } }
            members:
              - { name: pg1, address: 127.0.0.1:5432, nofailover: true, data_dir: "" }
              - { name: pg2, address: 127.0.0.1:5433, nofailover: maybe }
            primary: pg3
            check: { expect_body: ok }
            failover: { max_lag: 1 MB, synchronous_strict: true }
            hooks: { fence: [ { exec: [f, "{{who}}"] } ] }
        """,
        $"understudy.yaml:4:38 services.db.postgres.password: cannot read {Path.Combine(Folder, "missing", "pg")}: no such file",
        "understudy.yaml:4:77 services.db.postgres.rejoin.exec[1]: unknown placeholder '{{epoch}}' (allowed: {{service}}, {{member}}, {{data_dir}}, {{primary_host}}, {{primary_port}}, {{new_primary}})",
        "understudy.yaml:6:75 services.db.members[0].data_dir: expected a file path, got an empty value",
        "understudy.yaml:7:59 services.db.members[1].nofailover: expected true or false, got 'maybe'",
        "understudy.yaml:8:14 services.db.primary: 'pg3' is not a member of this service (members: pg1, pg2)",
        "understudy.yaml:9:14 services.db.check.expect_body: only for kind http (this service is postgres)",
        "understudy.yaml:10:26 services.db.failover.max_lag: expected a size such as 512kB or 1MB, got '1 MB'",
        "understudy.yaml:10:52 services.db.failover.synchronous_strict: requires synchronous: true (it is false by default)",
        "understudy.yaml:11:35 services.db.hooks.fence[0].exec[1]: unknown placeholder '{{who}}' (allowed: {{service}}, {{old_primary}}, {{new_primary}}, {{epoch}}, {{new_primary_address}}, {{new_primary_host}}, {{new_primary_port}}, {{old_primary_address}})");
}
