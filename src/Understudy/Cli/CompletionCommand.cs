using System.CommandLine;

namespace Understudy.Cli;

/// <summary>
/// Prints a bash or zsh completion script. The scripts hold no word lists: they ask the program itself through
/// System.CommandLine's <c>[suggest:POSITION]</c> directive, so completions follow the commands and options of the
/// installed version.
/// </summary>
internal static class CompletionCommand
{
    public const string Bash = """
        # understudy completion for bash: source it, or save it as /etc/bash_completion.d/understudy
        _understudy_complete() {
            local IFS=$'\n' candidates
            candidates=$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)
            # The program also offers words that only contain what was typed; bash wants those that start with it.
            COMPREPLY=($(compgen -W "${candidates}" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _understudy_complete understudy

        """;

    public const string Zsh = """
        #compdef understudy
        # understudy completion for zsh: save it as _understudy in a folder of $fpath, or source it after compinit
        _understudy() {
            local -a candidates
            candidates=("${(@f)$("${words[1]}" "[suggest:${CURSOR}]" "${BUFFER}" 2>/dev/null)}")
            compadd -a candidates
        }
        if [[ "${zsh_eval_context[-1]}" == loadautofunc ]]; then _understudy "$@"; else compdef _understudy understudy; fi

        """;

    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var cmd = new Command("completion", "Print the shell completion script: source <(understudy completion bash)") { shell };
        cmd.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.Write(parse.GetValue(shell) == "bash" ? Bash : Zsh);
            return CliApp.Ok;
        });
        return cmd;
    }
}
