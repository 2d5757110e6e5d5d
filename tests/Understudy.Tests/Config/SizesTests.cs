using Understudy.Config;

namespace Understudy.Tests.Config;

public class SizesTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("512", 512L)]
    [InlineData("1kB", 1_024L)]
    [InlineData("512kB", 524_288L)]
    [InlineData("1MB", 1_048_576L)]
    [InlineData("1.5MB", 1_572_864L)]
    [InlineData("16MB", 16_777_216L)]
    [InlineData("1GB", 1_073_741_824L)]
    [InlineData("1024GB", 1_099_511_627_776L)]
    [InlineData(" 2kB ", 2_048L)]
    public void TryParse_BytesOrUnit_Uses1024Multipliers(string text, long expected)
    {
        Assert.True(Sizes.TryParse(text, out long bytes, out string whyNot), whyNot);
        Assert.Equal(expected, bytes);
        Assert.Equal("", whyNot);
    }

    [Theory]
    [InlineData("1mb", "unknown unit 'mb' in '1mb'; did you mean 'MB'? use kB, MB or GB (1024-based), or a whole number of bytes")]
    [InlineData("1KB", "unknown unit 'KB' in '1KB'; did you mean 'kB'? use kB, MB or GB (1024-based), or a whole number of bytes")]
    [InlineData("1TB", "unknown unit 'TB' in '1TB'; use kB, MB or GB (1024-based), or a whole number of bytes")]
    [InlineData("1MiB", "unknown unit 'MiB' in '1MiB'; use kB, MB or GB (1024-based), or a whole number of bytes")]
    [InlineData("1.5", "a number of bytes must be whole, got '1.5'")]
    [InlineData("-1MB", "a size cannot be negative (got '-1MB')")]
    [InlineData("lots", "expected a size such as 512kB or 1MB, got 'lots'")]
    [InlineData("1 MB", "expected a size such as 512kB or 1MB, got '1 MB'")]
    [InlineData("", "expected a size such as 512kB or 1MB, got an empty value")]
    [InlineData("99999999999GB", "'99999999999GB' is too large a size")]
    [InlineData("99999999999999999999", "'99999999999999999999' is too large a size")]
    public void TryParse_Malformed_SaysWhyAndNamesUnits(string text, string expected)
    {
        Assert.False(Sizes.TryParse(text, out long bytes, out string whyNot));
        Assert.Equal(expected, whyNot);
        Assert.Equal(0L, bytes);
    }
}
