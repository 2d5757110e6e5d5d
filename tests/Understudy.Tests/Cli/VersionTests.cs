using Understudy.Hosting;

namespace Understudy.Tests.Cli;

public class VersionTests
{
    /// <summary>SemVer with the commit as build metadata, ".dirty" for a changed work tree (Understudy.csproj), or "unknown" without git.</summary>
    [Fact]
    public void Version_IsSemVerWithTheCommitAsBuildMetadata()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+\+([0-9a-f]{4,40}(\.dirty)?|unknown)$", Controller.Version);
    }
}
