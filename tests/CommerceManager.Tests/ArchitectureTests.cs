using System.Text.RegularExpressions;
using ArchUnitNET.Domain;
using ArchUnitNET.Domain.Dependencies;
using ArchUnitNET.Loader;
using Xunit.Abstractions;

namespace CommerceManager.Tests;

/// <summary>
/// The dependency rules of docs/architecture.md, read from the compiled assembly (ArchUnitNET walks its IL: every type a
/// type names, calls, inherits, takes or returns, including what Razor compiles components into). A folder of
/// <c>src/</c> is a namespace <c>CommerceManager.&lt;Folder&gt;</c>. Run it alone to print the graph:
/// <c>dotnet test tests/CommerceManager.Tests --filter ArchitectureTests --logger "console;verbosity=detailed"</c>;
/// with <c>CM_UPDATE_DOCS=1</c> it rewrites the graph in docs/architecture.md.
/// </summary>
public sealed partial class ArchitectureTests(ITestOutputHelper output)
{
    /// <summary>The foundation: shared by every feature, knowing none.</summary>
    private static readonly string[] Foundation = ["Common", "Querying", "Data", "Security", "Ui"];

    /// <summary>What composes features into a product: the HTTP API, the console shell, start-up data.</summary>
    private static readonly string[] Composition = ["Api", "Components", "Seeding", "(root)"];

    private static readonly Lazy<Graph> App = new(() => Graph.Of(typeof(AppComposition).Assembly, "CommerceManager"));

    [Fact]
    public void No_feature_or_foundation_folder_imports_the_API() => Assert.Empty(App.Value.ImportsOfTheApi());

    [Fact]
    public void The_foundation_imports_no_feature() => Assert.Empty(App.Value.FoundationImportingFeatures(Foundation));

    [Fact]
    public void Features_depend_on_each_other_one_way_only()
    {
        foreach (var line in App.Value.Lines())
        {
            output.WriteLine(line);
        }

        Assert.Empty(App.Value.Cycles(Composition));
    }

    [Fact]
    public void Only_the_composition_imports_the_console_shell()
    {
        // Account's sign-in pages use the shell's plain layout (and nothing else of it).
        Assert.Empty(App.Value.ShellImports(Composition, allowed: "Account"));
    }

    [Fact]
    public void The_checks_catch_a_planted_violation()
    {
        // ArchitecturePlant (below, compiled into this test assembly): a foundation folder naming a feature, a feature
        // naming the API, and two features naming each other.
        var planted = Graph.Of(typeof(ArchitecturePlant.Common.Helper).Assembly, "ArchitecturePlant");

        Assert.Equal(["Common -> Orders"], planted.FoundationImportingFeatures(Foundation));
        Assert.Equal(["Orders"], planted.ImportsOfTheApi());
        Assert.Contains("Orders -> Customers -> … -> Orders", planted.Cycles(Composition));
        Assert.Equal(["Orders"], planted.CallersOf("System.DateTime", "get_UtcNow"));
    }

    [Fact]
    public void Time_is_read_from_the_TimeProvider()
    {
        // DateTime.UtcNow and friends can't be moved by a FakeTimeProvider: tests would have to sleep.
        string[] clocks = ["get_UtcNow", "get_Now", "get_Today"];
        var offenders = clocks.SelectMany(c => App.Value.CallersOf("System.DateTime", c).Concat(App.Value.CallersOf("System.DateTimeOffset", c))).ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void No_feature_is_imported_everywhere()
    {
        var features = Directory.GetDirectories(Path.Combine(RepositoryRoot(), "src")).Select(Path.GetFileName)
            .Where(f => !Foundation.Contains(f) && !Composition.Contains(f)).ToList();
        var globalUsings = Directory.EnumerateFiles(RepositoryRoot(), "*.cs", SearchOption.AllDirectories)
            .Where(f => f.Contains($"{Path.DirectorySeparatorChar}src{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => GlobalUsing().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Concat(ProjectUsings().Matches(File.ReadAllText(Path.Combine(RepositoryRoot(), "CommerceManager.csproj"))).Select(m => m.Groups[1].Value));
        var razorImports = RazorUsing().Matches(File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "_Imports.razor"))).Select(m => m.Groups[1].Value);

        var offenders = globalUsings.Concat(razorImports).Where(ns => features.Any(f => ns == $"CommerceManager.{f}" || ns.StartsWith($"CommerceManager.{f}.", StringComparison.Ordinal))).ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void The_documented_graph_is_the_compiled_one()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "architecture.md");
        var text = File.ReadAllText(path);
        var block = DocumentedGraph().Match(text);
        Assert.True(block.Success, "docs/architecture.md has no <!-- graph:begin --> … <!-- graph:end --> block.");
        var current = "```\n" + string.Join("\n", App.Value.Lines()) + "\n```\n";
        if (block.Groups[1].Value != current && Environment.GetEnvironmentVariable("CM_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, text.Replace(block.Groups[1].Value, current, StringComparison.Ordinal));
            return;
        }

        Assert.True(block.Groups[1].Value == current,
            $"docs/architecture.md shows an old graph. Rerun this test with CM_UPDATE_DOCS=1 to write the current one:\n{current}");
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CommerceManager.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Run the tests from inside the repository.");
    }

    [GeneratedRegex(@"^\s*global\s+using\s+(?:static\s+)?([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex GlobalUsing();

    [GeneratedRegex(@"<Using\s+Include=""([\w.]+)""")]
    private static partial Regex ProjectUsings();

    [GeneratedRegex(@"^@using\s+(?:static\s+)?([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex RazorUsing();

    [GeneratedRegex(@"<!-- graph:begin -->\n(.*?)<!-- graph:end -->", RegexOptions.Singleline)]
    private static partial Regex DocumentedGraph();

    /// <summary>Which top folder (namespace under <c>root</c>) uses which, from the compiled types.</summary>
    private sealed class Graph
    {
        private readonly Dictionary<string, SortedSet<string>> edges = new(StringComparer.Ordinal);
        private readonly List<(string Folder, string Type, string Member)> calls = [];

        public static Graph Of(System.Reflection.Assembly assembly, string root)
        {
            var architecture = new ArchLoader().LoadAssemblies(assembly).Build();
            var graph = new Graph();
            foreach (var type in architecture.Types)
            {
                if (FolderOf(type, root) is not { } own)
                {
                    continue;
                }
                var set = graph.edges.TryGetValue(own, out var existing) ? existing : graph.edges[own] = new SortedSet<string>(StringComparer.Ordinal);
                foreach (var dependency in type.Dependencies)
                {
                    if (FolderOf(dependency.Target, root) is { } target && target != own)
                    {
                        set.Add(target);
                    }
                    if (dependency is MethodCallDependency call)
                    {
                        graph.calls.Add((own, call.Target.FullName, call.TargetMember.Name));
                    }
                }
            }
            return graph;
        }

        private static string? FolderOf(IType type, string root)
        {
            var ns = type.Namespace?.FullName ?? "";
            if (ns == root)
            {
                return "(root)";
            }
            return ns.StartsWith(root + ".", StringComparison.Ordinal) ? ns[(root.Length + 1)..].Split('.')[0] : null;
        }

        private IReadOnlySet<string> Of(string folder) => edges.GetValueOrDefault(folder) ?? (IReadOnlySet<string>)new HashSet<string>();

        public List<string> ImportsOfTheApi() =>
            edges.Where(e => e.Key is not ("Api" or "(root)") && e.Value.Contains("Api")).Select(e => e.Key).Order(StringComparer.Ordinal).ToList();

        public List<string> FoundationImportingFeatures(string[] foundation) =>
            foundation.SelectMany(f => Of(f).Where(d => !foundation.Contains(d)).Select(d => $"{f} -> {d}")).ToList();

        public List<string> ShellImports(string[] composition, string allowed) =>
            edges.Where(e => !composition.Contains(e.Key) && e.Key != allowed && e.Value.Contains("Components")).Select(e => e.Key).ToList();

        public List<string> Cycles(string[] composition)
        {
            var cycles = new List<string>();
            foreach (var (from, targets) in edges.Where(e => !composition.Contains(e.Key)).OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                cycles.AddRange(targets.Where(t => !composition.Contains(t) && Reaches(t, from, [], composition)).Select(to => $"{from} -> {to} -> … -> {from}"));
            }
            return cycles;
        }

        public List<string> CallersOf(string typeFullName, string member) =>
            calls.Where(c => c.Type == typeFullName && c.Member.StartsWith(member + "(", StringComparison.Ordinal)).Select(c => c.Folder).Distinct().Order(StringComparer.Ordinal).ToList();

        public IEnumerable<string> Lines() =>
            edges.Where(e => e.Value.Count > 0).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key,-15} -> {string.Join(", ", e.Value)}");

        private bool Reaches(string from, string target, HashSet<string> seen, string[] composition) =>
            from == target || (seen.Add(from) && Of(from).Where(t => !composition.Contains(t)).Any(t => Reaches(t, target, seen, composition)));
    }
}
