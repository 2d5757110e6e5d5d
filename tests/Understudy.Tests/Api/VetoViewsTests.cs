using System.Text.Json;
using Understudy.Api;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Api;

/// <summary>Issue 15: the status API says plainly when veto hooks hold a change back.</summary>
public class VetoViewsTests
{
    private static readonly ServiceSpec Spec = Http() with { Hooks = HooksSpec.None with { Veto = [new(["check-freeze"], TimeSpan.FromSeconds(5))] } };

    private const string Refusal = "veto hook 1 `check-freeze` exited 1 after 20 ms: change freeze until Monday";

    /// <summary>web-a fails three times: the veto hooks are asked instead of failing over.</summary>
    private static ServiceState Asking(out AskVeto ask)
    {
        var s = AllUp(Spec, T0);
        var d = Walk(ref s, (Fail("web-a", At(1)), At(1)), (Fail("web-a", At(1.2)), At(1.2)), (Fail("web-a", At(1.4)), At(1.4)));
        ask = (AskVeto)d[2].Plan[0];
        return s;
    }

    [Fact]
    public void From_HooksBeingAsked_Asking()
    {
        var s = Asking(out _);

        Assert.Equal(new VetoView("asking", "failover", "web-a", "web-b", null, At(1.4)), StatusViews.From(s, proxy: null).Veto);
    }

    [Fact]
    public void From_AutomaticFailoverRefused_VetoedWithTheHooksWordsAndWhenItIsAskedAgain_InTheStatusJson()
    {
        var s = Asking(out AskVeto ask);
        Decision d = Decider.Decide(s, new StepCompleted(ask, false, Refusal), At(1.5));
        var vetoed = (ChangeVetoed)d.Events[0];

        ServiceView view = StatusViews.From(d.State, proxy: null, lastVeto: vetoed);

        Assert.Equal(new VetoView("vetoed", "failover", "web-a", "web-b", null, At(1.5), Refusal, At(31.5)), view.Veto);
        Assert.True(VetoViews.MayBeHeldByVeto(d.State));
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(view, ApiJson.Options));
        JsonElement veto = json.RootElement.GetProperty("veto");
        Assert.Equal("vetoed", veto.GetProperty("state").GetString());
        Assert.Equal(Refusal, veto.GetProperty("reason").GetString());
        Assert.Equal(At(31.5), veto.GetProperty("retry_at").GetDateTimeOffset());
        Assert.Equal("held", json.RootElement.GetProperty("phase").GetString());
    }

    [Fact]
    public void From_PrimaryBackAfterARefusal_NoVeto()
    {
        var s = Asking(out AskVeto ask);
        Decision d = Decider.Decide(s, new StepCompleted(ask, false, Refusal), At(1.5));
        var vetoed = (ChangeVetoed)d.Events[0];
        s = d.State;
        Walk(ref s, (Ok("web-a", At(2)), At(2)), (Ok("web-a", At(2.2)), At(2.2)));

        Assert.Null(StatusViews.From(s, proxy: null, lastVeto: vetoed).Veto);
        Assert.Null(StatusViews.From(AllUp(Spec, T0), proxy: null).Veto);
    }
}
