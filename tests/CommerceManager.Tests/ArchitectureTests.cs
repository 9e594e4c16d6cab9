using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace CommerceManager.Tests;

/// <summary>
/// The dependency rules of docs/architecture.md, read from the source: which folder of src/ names which other
/// (a using line, or a qualified name such as <c>Customers.Customer</c>). Run it alone to print the graph:
/// <c>dotnet test tests/CommerceManager.Tests --filter ArchitectureTests --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed partial class ArchitectureTests(ITestOutputHelper output)
{
    /// <summary>The foundation: shared by every feature, knowing none.</summary>
    private static readonly string[] Foundation = ["Common", "Querying", "Data", "Security", "Ui"];

    /// <summary>What composes features into a product: the HTTP API, the console shell, start-up data.</summary>
    private static readonly string[] Composition = ["Api", "Components", "Seeding", "(root)"];

    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlySet<string>>> Graph = new(ReadGraph);

    [Fact]
    public void No_feature_or_foundation_folder_imports_the_API()
    {
        var offenders = Graph.Value.Where(g => g.Key is not ("Api" or "(root)") && g.Value.Contains("Api")).Select(g => g.Key).ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void The_foundation_imports_no_feature()
    {
        var offenders = Foundation
            .SelectMany(f => Graph.Value.GetValueOrDefault(f, new HashSet<string>()).Where(d => !Foundation.Contains(d)).Select(d => $"{f} -> {d}"))
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void Features_depend_on_each_other_one_way_only()
    {
        var cycles = new List<string>();
        foreach (var (from, targets) in Graph.Value.Where(g => !Composition.Contains(g.Key)))
        {
            foreach (var to in targets.Where(t => !Composition.Contains(t) && Reaches(t, from, [])))
            {
                cycles.Add($"{from} -> {to} -> … -> {from}");
            }
        }
        foreach (var (from, targets) in Graph.Value.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{from,-15} -> {string.Join(", ", targets.Order(StringComparer.Ordinal))}");
        }

        Assert.Empty(cycles);
    }

    [Fact]
    public void Only_the_composition_imports_the_console_shell()
    {
        var offenders = Graph.Value.Where(g => !Composition.Contains(g.Key) && g.Key != "Account" && g.Value.Contains("Components")).Select(g => g.Key).ToList();

        // Account's sign-in pages use the shell's plain layout (and nothing else of it).
        Assert.Empty(offenders);
    }

    private static bool Reaches(string from, string target, HashSet<string> seen)
    {
        if (from == target)
        {
            return true;
        }
        if (!seen.Add(from))
        {
            return false;
        }
        return Graph.Value.GetValueOrDefault(from, new HashSet<string>()).Where(t => !Composition.Contains(t)).Any(t => Reaches(t, target, seen));
    }

    private static IReadOnlyDictionary<string, IReadOnlySet<string>> ReadGraph()
    {
        var src = Path.Combine(RepositoryRoot(), "src");
        var folders = Directory.GetDirectories(src).Select(Path.GetFileName).OfType<string>().ToHashSet();
        var graph = new Dictionary<string, IReadOnlySet<string>>();
        foreach (var file in Directory.EnumerateFiles(src, "*.*", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal)))
        {
            var relative = Path.GetRelativePath(src, file).Split(Path.DirectorySeparatorChar);
            if (relative.Contains("Migrations"))
            {
                continue;
            }
            var own = relative.Length > 1 ? relative[0] : "(root)";
            var text = Comments().Replace(File.ReadAllText(file), "");
            var referenced = Qualified().Matches(text).Select(m => m.Groups[1].Value)
                .Concat(folders.Where(f => Regex.IsMatch(text, $@"(?<![\w.]){f}\.[A-Z]\w*")));
            var set = (HashSet<string>)(graph.TryGetValue(own, out var existing) ? existing : graph[own] = new HashSet<string>());
            foreach (var folder in referenced.Where(r => folders.Contains(r) && r != own))
            {
                set.Add(folder);
            }
        }
        return graph;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CommerceManager.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Run the tests from inside the repository.");
    }

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|@\*.*?\*@", RegexOptions.Singleline)]
    private static partial Regex Comments();

    [GeneratedRegex(@"\bCommerceManager\.(\w+)")]
    private static partial Regex Qualified();
}
