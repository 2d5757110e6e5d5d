using Understudy.Config;
using Understudy.Drills;

namespace Understudy.Tests.Regressions;

/// <summary>
/// Issue 13, item 9: 100,000 nested '[' overflowed the stack in validate, drill run and serve (exit 134, 40,000 lines
/// of trace); a syntax error must be one <c>file:line:col</c> message. Both readers share the YAML path under test.
/// </summary>
public class YamlInputTests
{
    private static string Flow(int depth) => "services: " + new string('[', depth);

    private static string Block(int depth) =>
        "services:\n" + string.Concat(Enumerable.Range(1, depth).Select(i => $"{new string(' ', 2 * i)}k{i}:\n"));

    [Theory]
    [InlineData(100_000)]
    [InlineData(65)]
    public void Config_NestedDeeperThanTheLimit_IsOneErrorNotAStackOverflow(int depth)
    {
        ConfigResult result = ConfigLoader.Parse(Flow(depth), "understudy.yaml", Path.GetTempPath());

        // The root mapping is the first level: the 64th '[' (column 10 + 64) is the 65th.
        Assert.Equal($"understudy.yaml:1:{10 + DuplicateKeyFilter.MaxDepth} : the file is nested deeper than 64 levels (mappings and sequences inside one another); nothing past this point was read",
            Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Config_DeepBlockMappings_AreStoppedToo()
    {
        ConfigResult result = ConfigLoader.Parse(Block(200), "understudy.yaml", Path.GetTempPath());

        Assert.Contains("nested deeper than 64 levels", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Drill_NestedDeeperThanTheLimit_IsOneError()
    {
        DrillResult result = DrillLoader.Parse("name: " + new string('{', 100_000), "drill.yaml", Path.GetTempPath());

        Assert.Contains("drill.yaml:1:", Assert.Single(result.Errors).ToString());
        Assert.Contains("nested deeper than 64 levels", result.Errors[0].ToString());
    }

    [Fact]
    public void Config_UnclosedFlowMapping_IsASyntaxErrorWithItsPlace()
    {
        ConfigResult result = ConfigLoader.Parse("services:\n  web: { kind: http\n", "understudy.yaml", Path.GetTempPath());

        Assert.Equal("understudy.yaml:3:1 : YAML syntax error: while parsing a flow mapping, did not find expected ',' or '}'",
            Assert.Single(result.Errors).ToString());
    }

    private const string Web = """
        services:
          web:
            kind: http
            members:
              - { name: web-a, address: 127.0.0.1:8081 }
              - { name: web-b, address: 127.0.0.1:8082 }
            primary: web-a
        """;

    [Fact]
    public void Config_UnknownTag_IsRefused_YamlsOwnIsNot()
    {
        ConfigResult tagged = ConfigLoader.Parse(Web.Replace("kind: http", "kind: !vault http"), "understudy.yaml", Path.GetTempPath());
        Assert.Equal("understudy.yaml:3:11 : unknown YAML tag '!vault': these files use none but YAML's own (such as !!str)",
            Assert.Single(tagged.Errors).ToString());

        Assert.True(ConfigLoader.Parse(Web.Replace("kind: http", "kind: !!str http"), "understudy.yaml", Path.GetTempPath()).Ok);
    }

    [Fact]
    public void Config_NulByte_IsRefusedWithItsLine()
    {
        string folder = Directory.CreateTempSubdirectory("understudy-nul-").FullName;
        try
        {
            string path = Path.Combine(folder, "understudy.yaml");
            File.WriteAllText(path, Web.Replace("kind: http", "kind: ht\0tp"));
            ConfigResult result = ConfigLoader.Load(path);
            Assert.EndsWith("the file holds a NUL byte (line 3); a YAML file is text", Assert.Single(result.Errors).ToString());
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void Config_NameLongerThanADnsLabel_IsRefused()
    {
        string ok = new('a', 63), tooLong = new('b', 64);
        Assert.True(ConfigLoader.Parse(Web.Replace("web:", ok + ":"), "understudy.yaml", Path.GetTempPath()).Ok);

        ConfigResult result = ConfigLoader.Parse(Web.Replace("web-b", tooLong).Replace("primary: web-a", "primary: web-a"), "understudy.yaml", Path.GetTempPath());
        Assert.Contains("a name is at most 63 characters, like a DNS label (got 64", Assert.Single(result.Errors).ToString());
    }
}
