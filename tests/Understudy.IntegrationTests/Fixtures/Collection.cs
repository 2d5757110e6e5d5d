namespace Understudy.IntegrationTests.Fixtures;

/// <summary>Integration tests start servers and measure time: they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealProcesses
{
    public const string Name = "real processes";
}
