using Understudy.Drills;

namespace Understudy.Tests.Drills.Loading;

/// <summary>The file and its top-level keys: shape, unknown and missing keys, header values.</summary>
public partial class DrillLoaderTests
{
    [Theory]
    [InlineData("")]
    [InlineData("# nothing yet\n")]
    public void Parse_EmptyFile_SaysWhatADrillHolds(string yaml) => AssertErrors(
        yaml,
        "drill.yaml:1:1 : the file is empty; expected a mapping with name, probes and faults");

    [Fact]
    public void Parse_SequenceAtTheTop_AsksForAMapping() => AssertErrors(
        "- kill web-a\n",
        "drill.yaml:1:1 : expected a mapping with name, probes and faults, got a sequence");

    [Fact]
    public void Parse_YamlSyntaxError_GivesPlace() => AssertErrors(
        "name: x\nprobes: [ { name: web\n",
        "drill.yaml:3:1 : YAML syntax error: while parsing a flow mapping, did not find expected ',' or '}'");

    [Fact]
    public void Parse_MissingRequiredKeys_NameEachAtTheTop() => AssertErrors(
        "description: nothing else\n",
        "drill.yaml:1:1 name: required: the drill's name, e.g. name: web primary crash",
        "drill.yaml:1:1 probes: required: a sequence of probes, e.g. [ { name: web, http: { url: \"http://127.0.0.1:9000/\" } } ]",
        "drill.yaml:1:1 faults: required: a sequence of steps, e.g. [ { kill_process: { member: web-a } } ]");

    [Fact]
    public void Parse_UnknownTopLevelKey_SuggestsTheSnakeCaseSpelling() => AssertErrors(
        Minimal + "\nstopConditions: { max_outage: 1m }",
        "drill.yaml:5:1 stopConditions: unknown key; did you mean 'stop_conditions'? (accepted: name, description, environment, service, "
        + "controller, targets, probes, steady_state, faults, recovery, verify, rollback, stop_conditions, load)");

    [Fact]
    public void Parse_DuplicateTopLevelKey_NamesTheFirst() => AssertErrors(
        Minimal + "\nname: again",
        "drill.yaml:5:1 name: duplicate key; 'name' is already set at line 1");

    [Fact]
    public void Parse_BlankName_IsRefused() => AssertErrors(
        Minimal.Replace("name: smallest", "name: \"  \""),
        "drill.yaml:1:7 name: expected the drill's name, got an empty value");

    [Fact]
    public void Parse_UnknownEnvironment_ListsBoth() => AssertErrors(
        Minimal + "\nenvironment: prod",
        "drill.yaml:5:14 environment: expected one of staging, production, got 'prod'");

    [Fact]
    public void Parse_ServiceNameWithCapitals_GivesTheNameRule() => AssertErrors(
        Minimal + "\nservice: Web",
        "drill.yaml:5:10 service: a name uses lowercase letters, digits, '-' and '_', and starts with a letter or digit (got 'Web')");

    [Fact]
    public void Parse_ControllerWithoutService_SaysWhyServiceIsNeeded() => AssertErrors(
        Minimal + "\ncontroller: http://127.0.0.1:7400",
        "drill.yaml:5:1 controller: controller needs service: the report links to one service's journal");

    [Fact]
    public void Parse_ControllerNotAnHttpUrl_GivesAnExample() => AssertErrors(
        Minimal + "\nservice: web\ncontroller: 127.0.0.1:7400",
        "drill.yaml:6:13 controller: expected an absolute http or https URL such as http://127.0.0.1:7400, got '127.0.0.1:7400'");

    [Fact]
    public void Parse_UnsetEnvironmentVariable_NamesIt() => AssertErrors(
        Linked.Replace("http://127.0.0.1:7400", "\"${CONTROLLER_URL}\""),
        "drill.yaml:6:13 controller: environment variable CONTROLLER_URL is not set");

    [Fact]
    public void Parse_BadValueFromEnvironment_IsShownAsWritten()
    {
        DrillResult result = Parse(Linked.Replace("http://127.0.0.1:7400", "\"${CONTROLLER_URL}\""),
            new() { ["CONTROLLER_URL"] = "ftp://secret-host/" });
        Assert.Equal(["drill.yaml:6:13 controller: expected an absolute http or https URL such as http://127.0.0.1:7400, got '${CONTROLLER_URL}'"],
            result.Errors.Select(e => e.ToString()));
    }
}
