using Understudy.Config;
using Understudy.Drills;

namespace Understudy.Tests.Regressions;

/// <summary>
/// Issue 13, item 9, found by the fuzz tests (Fuzz/YamlReaderFuzzTests): files on which YamlDotNet threw something
/// other than a YamlException, or overflowed the stack, where one <c>file:line:col</c> error is due. Each input is
/// the shrunk case cut down by hand.
/// </summary>
public class YamlParserFailureTests
{
    private static string[] Errors(string yaml) =>
        [.. ConfigLoader.Parse(yaml, "understudy.yaml", Path.GetTempPath(), _ => null).Errors.Select(e => e.ToString())];

    private static string OneError(string yaml) => Assert.Single(Errors(yaml));

    [Theory]
    [InlineData("services:\n  web:\n    members: [web-a,\n    web-b]\n", "understudy.yaml:4:5")]     // a list broken across lines, not indented past its key
    [InlineData("services:\n  web:\n    members: [web-a, web-b\n  kind: http\n", "understudy.yaml:4:3")] // a '[' not closed
    [InlineData("services: [web\u2028b]\n", "understudy.yaml:2:1")]                                 // U+2028 is a line break to YAML
    public void FlowCollection_ContinuedOnALineNotIndentedPastItsKey_IsASyntaxError(string yaml, string place) =>
        Assert.Equal($"{place} : YAML syntax error: this line is inside a '[' or '{{' that is not closed above it, or it continues one without being indented more than its key",
            OneError(yaml));

    [Fact]
    public void Drill_AliasKeysBeforeTheirAnchor_AreAnErrorNotAStackOverflow()
    {
        DrillResult result = DrillLoader.Parse("*x : 2\nname: &x drill\n*x : 3\n", "drill.yaml", Path.GetTempPath());

        Assert.Equal("drill.yaml:1:1 : YAML syntax error: alias '*x' does not follow a complete node anchored '&x'; an alias repeats a node written above it",
            Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Alias_InsideTheNodeItNames_IsAnError() =>
        Assert.Equal("understudy.yaml:1:21 : YAML syntax error: alias '*s' does not follow a complete node anchored '&s'; an alias repeats a node written above it",
            OneError("services: &s { web: *s }\n"));

    [Theory]
    [InlineData("controller: &c { api: 127.0.0.1:7400 }\nservices: { web: 1 }   *c\n", "understudy.yaml:2:24 : YAML syntax error: found the key '*c' with no ':' and value after it")]
    [InlineData("  : x\n  : x\n  : x\n", "understudy.yaml:3:4 : YAML syntax error: found an empty key with no ':' and value after it")] // YamlDotNet reads key, value, key
    public void KeyWithNoValue_IsASyntaxError(string yaml, string error) => Assert.Equal(error, Errors(yaml).Last());

    [Theory]
    [InlineData("services: !!]x {}\n", "understudy.yaml:1:11")]
    [InlineData("# a comment\u2028\t!!]nd more\nservices: {}\n", "understudy.yaml:2:2")] // after U+2028, a new line
    public void MalformedTag_IsASyntaxErrorAtTheTag(string yaml, string place) =>
        Assert.Equal($"{place} : YAML syntax error: global tags must be valid URIs", OneError(yaml));

    [Fact]
    public void Guard_NulEscapeInAPath_IsAnErrorAtItsKey()
    {
        GuardConfigResult result = GuardConfigLoader.Parse(
            "member: pg1\nservice: db\ncoordination: { etcd: [http://127.0.0.1:2379], cluster: shop }\npostgres: { data_dir: \"/var/lib/pg\\0\" }\n",
            "guard.yaml", Path.GetTempPath(), _ => null);

        Assert.Equal("guard.yaml:4:23 postgres.data_dir: a NUL character (\\0) is not allowed in a value", Assert.Single(result.Errors).ToString());
    }
}
