using Understudy.Drills;

namespace Understudy.Tests.Regressions;

/// <summary>Issue 13, item 9, found by the fuzz tests (Fuzz/YamlReaderFuzzTests): a drill file that made the drill loader throw.</summary>
public class DrillInputTests
{
    [Fact]
    public void SqlProbe_ConnectionWithAnUnknownKeywordAndNoValue_IsAnErrorAtTheKey()
    {
        DrillResult result = DrillLoader.Parse("""
            name: writes
            probes: [ { name: orders, sql_write: { connection: "aGk=" } } ]
            faults: [ { wait: 1s } ]
            """, "drill.yaml", Path.GetTempPath());

        Assert.Equal("drill.yaml:2:52 probes[0].sql_write.connection: not a usable Npgsql connection string: it names a keyword Npgsql does not know, with no value",
            Assert.Single(result.Errors).ToString());
    }
}
