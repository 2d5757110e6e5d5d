using System.Diagnostics;
using CsCheck;

namespace Understudy.Tests.Testing;

/// <summary>
/// A CsCheck run that CI can repeat. <c>Sample</c> seeds only its first case and draws the rest from the clock, so
/// two runs would test different inputs; here every case comes from one generator seeded by <c>CsCheck_Seed</c>, or
/// by <see cref="DefaultSeed"/>. The first failing case goes to <c>Sample</c>, which shrinks it and prints its seed.
/// </summary>
internal static class SeededSample
{
    public const string DefaultSeed = "0understudy0";
    private const int ShrinkSeconds = 20; // spent only after a failure, on smaller inputs that still fail

    /// <summary>Runs <paramref name="property"/> on up to <paramref name="cases"/> inputs, stopping early when <paramref name="budget"/> is spent.</summary>
    public static void SampleSeeded<T>(this Gen<T> gen, Action<T> property, int cases, TimeSpan budget,
        Action<string>? writeLine = null, Func<T, string>? print = null)
    {
        string first = Check.Seed ?? DefaultSeed;
        var pcg = PCG.Parse(first);
        var clock = Stopwatch.StartNew();
        int run = 0;
        for (; run < cases && clock.Elapsed < budget; run++)
        {
            string seed = pcg.ToString();
            T input = gen.Generate(pcg, null, out _);
            try
            {
                property(input);
            }
            catch (Exception e)
            {
                gen.Sample(property, seed: seed, time: ShrinkSeconds, print: print);
                throw new InvalidOperationException($"case {run} (seed {seed}) failed, but not when replayed: {e.Message}", e);
            }
        }
        writeLine?.Invoke($"{run} cases from seed {first} passed in {clock.Elapsed.TotalSeconds:0.0} s");
    }
}
