using Understudy.Core.Drills;
using Understudy.Drills.Reports;
using static Understudy.Tests.Drills.Reports.ReportFixture;

namespace Understudy.Tests.Drills.Reports;

public class SamplesCsvTests
{
    [Fact]
    public void Write_HeaderAndRows_AreRfc4180WithIsoTimes()
    {
        var samples = new List<(string, ProbeSample)>
        {
            ("web", new ProbeSample(7, At(1_000), At(1_002.5), true, ErrorKind.None, "web-a", null)),
            ("a,b", new ProbeSample(8, At(1_100), At(1_600), false, ErrorKind.HttpStatus, null, "HTTP 503, \"busy\"\nretry")),
        };

        string[] lines = SamplesCsv.Write(samples).Split("\r\n");

        Assert.Equal("probe,seq,start,end,latency_ms,ok,error,answered_by,detail,address", lines[0]);
        Assert.Equal("web,7,2026-11-22T12:00:01.000Z,2026-11-22T12:00:01.002Z,2.5,true,,web-a,,", lines[1]);
        Assert.Equal("\"a,b\",8,2026-11-22T12:00:01.100Z,2026-11-22T12:00:01.600Z,500,false,http_status,,\"HTTP 503, \"\"busy\"\"\nretry\",", lines[2]);
        Assert.Equal("", lines[3]);
    }

    [Fact]
    public void ReadOfWrite_EqualsTheSamples()
    {
        var samples = Samples();

        var back = SamplesCsv.Read(SamplesCsv.Write(samples));

        ReportAssert.Equal(samples, back);
    }

    [Fact]
    public void ReadOfWrite_EveryErrorKindAndNullVersusEmptyText_Survive()
    {
        var samples = Enum.GetValues<ErrorKind>()
            .Select((k, i) => ("p", new ProbeSample(i, At(i), At(i + 1), k == ErrorKind.None, k, i % 2 == 0 ? null : "", i % 3 == 0 ? "," : null)))
            .ToList();

        var back = SamplesCsv.Read(SamplesCsv.Write(samples));

        ReportAssert.Equal(samples, back);
    }

    [Fact]
    public void ReadOfWrite_Address_Survives()
    {
        var samples = new List<(string, ProbeSample)>
        {
            ("db", new ProbeSample(1, At(0), At(2), true, ErrorKind.None, "127.0.0.1", "connected", "127.0.0.1")),
            ("db", new ProbeSample(2, At(10), At(12), false, ErrorKind.Refused, null, "127.0.0.2: connection refused", "127.0.0.2")),
        };

        string text = SamplesCsv.Write(samples);

        Assert.EndsWith(",127.0.0.2\r\n", text);
        ReportAssert.Equal(samples, SamplesCsv.Read(text));
    }

    [Fact]
    public void Read_AFileWrittenBeforeTheAddressColumn_ReadsWithNoAddresses()
    {
        string text = SamplesCsv.HeaderWithoutAddress + "\r\nweb,1,2026-11-22T12:00:00.000Z,2026-11-22T12:00:00.004Z,4,true,,web-a,\r\n";

        Assert.Equal(("web", new ProbeSample(1, At(0), At(4), true, ErrorKind.None, "web-a", null)), SamplesCsv.Read(text).Single());
        var bad = Assert.Throws<ReportException>(() => SamplesCsv.Read(text.Replace("web-a,", "web-a,,")));
        Assert.Contains("line 2: expected 9 fields, got 10", bad.Message);
    }

    [Fact]
    public void Read_AcceptsLfLineEndingsAndABom()
    {
        string text = "\uFEFF" + SamplesCsv.Header + "\nweb,1,2026-11-22T12:00:00.000Z,2026-11-22T12:00:00.004Z,4,true,,web-a,,\n";

        var back = SamplesCsv.Read(text);

        Assert.Equal(("web", new ProbeSample(1, At(0), At(4), true, ErrorKind.None, "web-a", null)), back.Single());
    }

    [Theory]
    [InlineData("probe,seq\n", "line 1: expected the header")]
    [InlineData("", "empty")]
    [InlineData("H\nweb,1,2026-11-22T12:00:00.000Z,2026-11-22T12:00:00.004Z,4,true,,\n", "line 2: expected 10 fields, got 8")]
    [InlineData("H\nweb,x,2026-11-22T12:00:00.000Z,2026-11-22T12:00:00.004Z,4,true,,,,\n", "line 2, column seq: expected an integer, got 'x'")]
    [InlineData("H\nweb,1,yesterday,2026-11-22T12:00:00.004Z,4,true,,,,\n", "line 2, column start: expected an ISO 8601 UTC time")]
    [InlineData("H\nweb,1,2026-11-22T12:00:00.000Z,2026-11-22T12:00:00.004Z,4,yes,,,,\n", "column ok: expected true or false")]
    [InlineData("H\nweb,1,2026-11-22T12:00:00.000Z,2026-11-22T12:00:00.004Z,4,false,boom,,,\n", "column error: expected empty or one of refused")]
    [InlineData("H\n\"a\nb\",1,2026-11-22T12:00:00.000Z,2026-11-22T12:00:00.004Z,4,true,,,,\nweb,1,2026-11-22T12:00:00.000Z,2026-11-22T12:00:00.004Z,4,true,,\"open\n", "line 4: a quoted field is not closed")]
    [InlineData("H\n\"web\"x,1,2026-11-22T12:00:00.000Z,2026-11-22T12:00:00.004Z,4,true,,,,\n", "line 2: text after a closing quote")]
    public void Read_Malformed_NamesTheLineAndWhatWasExpected(string text, string expected)
    {
        var e = Assert.Throws<ReportException>(() => SamplesCsv.Read(text.Replace("H\n", SamplesCsv.Header + "\n"), "d/samples.csv"));

        Assert.StartsWith("d/samples.csv", e.Message);
        Assert.Contains(expected, e.Message);
    }
}
