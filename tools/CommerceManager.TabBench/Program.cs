using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CommerceManager.TabBench;

/// <summary>
/// Memory per console tab: the app in this process on a loopback port (its own SQLite file with demo data), Chromium
/// opening signed-in tabs on the customers list, and the server's memory after a forced full GC before and after.
///
///   dotnet run --project tools/CommerceManager.TabBench -c Release -- [--tabs 40] [--page customers] [--chromium /usr/bin/chromium]
///       [--by-component] [--dump DIR] [--database FILE]
///   dotnet run --project tools/CommerceManager.TabBench -c Release -- --timings [--runs 20] [--database FILE]
///
/// With --timings it measures instead how soon each console page is usable (see <see cref="PageTimings"/>).
///
/// Prints the managed heap and the process's working set per tab, and what is left after the tabs close. The
/// browser runs in its own processes; the Playwright client objects in this process are a few KiB per tab.
/// </summary>
internal static class TabBenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        var options = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal))
            .ToDictionary(x => x.a[2..], x => x.i + 1 < args.Length ? args[x.i + 1] : "");
        var tabs = int.Parse(options.GetValueOrDefault("tabs", "40"), CultureInfo.InvariantCulture);
        var path = options.GetValueOrDefault("page", "customers");
        var chromium = options.GetValueOrDefault("chromium", Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium");
        // The app's content root (wwwroot, appsettings.json) is the repository root, where CommerceManager.sln is.
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "CommerceManager.sln")))
        {
            root = root.Parent;
        }
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_COMMERCEMANAGER", root?.FullName ?? Directory.GetCurrentDirectory());
        var folder = Path.Combine(Path.GetTempPath(), $"cm-tabbench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            // --database FILE: an existing store (e.g. a seeded million customers); otherwise a new one with demo data.
            await using var app = new TabBenchApp(options.TryGetValue("database", out var database) && database.Length > 0
                ? Path.GetFullPath(database) : Path.Combine(folder, "tabs.db"));
            app.Start();
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox"] });
            var context = await browser.NewContextAsync(new() { BaseURL = app.BaseUrl, ViewportSize = new() { Width = 1400, Height = 900 } });
            context.SetDefaultTimeout(60_000);
            // The browser's errors (a circuit that fails to start shows here first).
            context.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    Console.WriteLine($"browser: {message.Text}");
                }
            };
            var first = await context.NewPageAsync();
            // Straight to the customers list (a sign-in of its own lands on Home).
            await first.GotoAsync("Account/Login?ReturnUrl=%2Fcustomers");
            await first.GetByLabel("Email").FillAsync(TabBenchApp.AdminEmail);
            await first.GetByLabel("Password").FillAsync(TabBenchApp.AdminPassword);
            await first.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await first.WaitForURLAsync("**/customers");
            await OpenedAsync(first, "customers");
            if (options.ContainsKey("timings"))
            {
                await PageTimings.RunAsync(first, int.Parse(options.GetValueOrDefault("runs", "20"), CultureInfo.InvariantCulture));
                return 0;
            }

            var dumps = options.GetValueOrDefault("dump");
            var before = Measure();
            await DumpAsync(dumps, "one-tab");
            Console.WriteLine($"1 tab open: managed heap {before.Managed / 1048576.0:N1} MiB, working set {before.WorkingSet / 1048576.0:N1} MiB");
            var pages = new List<IPage>();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < tabs; i++)
            {
                var page = await context.NewPageAsync();
                await page.GotoAsync(path);
                await OpenedAsync(page, path);
                pages.Add(page);
            }
            Console.WriteLine($"opened {tabs} more tabs on /{path} in {clock.Elapsed.TotalSeconds:N1} s");
            var open = Measure();
            await DumpAsync(dumps, $"{tabs + 1}-tabs");
            if (options.ContainsKey("by-component"))
            {
                RenderTrees.Print(app.Services);
            }
            Console.WriteLine($"{tabs + 1} tabs open: managed heap {open.Managed / 1048576.0:N1} MiB, working set {open.WorkingSet / 1048576.0:N1} MiB");
            Console.WriteLine($"per idle tab: managed heap {(open.Managed - before.Managed) / (double)tabs / 1024:N0} KiB, " +
                $"working set {(open.WorkingSet - before.WorkingSet) / (double)tabs / 1024:N0} KiB");
            foreach (var page in pages)
            {
                await page.CloseAsync();
            }
            await Task.Delay(TimeSpan.FromSeconds(5));
            var closed = Measure();
            Console.WriteLine($"after closing them (disconnected circuits are kept {app.RetentionSeconds} s, up to {app.MaxRetained}): managed heap " +
                $"{closed.Managed / 1048576.0:N1} MiB, working set {closed.WorkingSet / 1048576.0:N1} MiB");
            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    // The list has rendered its rows and the circuit is live.
    private static async Task OpenedAsync(IPage page, string path)
    {
        try
        {
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        }
        catch (TimeoutException)
        {
            // What the page showed instead, for whoever reads the failure.
            var saved = Path.Combine(Path.GetTempPath(), "tabbench-failed");
            await File.WriteAllTextAsync(saved + ".html", await page.ContentAsync());
            await page.ScreenshotAsync(new() { Path = saved + ".png" });
            Console.WriteLine($"the circuit did not start on {page.Url}: the page is in {saved}.html and {saved}.png");
            throw;
        }
        if (path == "customers")
        {
            await page.Locator("[data-testid=customer-table] tbody tr").First.WaitForAsync();
        }
        else
        {
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        }
    }

    // With --dump DIR, a heap dump of this process (dotnet-dump, a .NET global tool) after each measurement:
    // `dotnet-dump analyze FILE -c "dumpheap -stat"` on both shows by type what the extra tabs hold.
    private static async Task DumpAsync(string? folder, string name)
    {
        if (string.IsNullOrEmpty(folder))
        {
            return;
        }
        Directory.CreateDirectory(folder);
        var output = Path.Combine(Path.GetFullPath(folder), name + ".dump");
        using var dump = Process.Start(new ProcessStartInfo("dotnet-dump", ["collect", "--type", "Heap", "-p", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), "-o", output])
        {
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("dotnet-gcdump did not start");
        await dump.StandardOutput.ReadToEndAsync();
        await dump.WaitForExitAsync();
        Console.WriteLine($"heap snapshot: {output}");
    }

    private static (long Managed, long WorkingSet) Measure()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        using var process = Process.GetCurrentProcess();
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"  (GC committed {GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0:N1} MiB, private {process.PrivateMemorySize64 / 1048576.0:N1} MiB)");
        return (managed, process.WorkingSet64);
    }
}

/// <summary>The app on a loopback port over its own SQLite file, with demo data and a known admin.</summary>
internal sealed class TabBenchApp(string database) : WebApplicationFactory<global::Program>
{
    public const string AdminEmail = "admin@tabs.example";
    public const string AdminPassword = "tab bench password 1";

    public string BaseUrl { get; private set; } = "";

    public int RetentionSeconds => (int)Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Components.Server.CircuitOptions>>().Value.DisconnectedCircuitRetentionPeriod.TotalSeconds;

    public int MaxRetained => Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Components.Server.CircuitOptions>>().Value.DisconnectedCircuitMaxRetained;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Default", $"Data Source={database}");
        builder.UseSetting("Bootstrap:AdminEmail", AdminEmail);
        builder.UseSetting("Bootstrap:AdminPassword", AdminPassword);
        builder.UseSetting("Seed:DemoData", "true");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }

    public void Start()
    {
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        StartServer();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/";
    }
}

/// <summary>
/// With --by-component: what the open circuits keep in their render trees, by component type (reflection over the
/// framework's internal renderer state, for this diagnostic only): how many components, and the bytes of the frame
/// arrays each keeps (a component keeps its current and its previous render tree).
/// </summary>
internal static class RenderTrees
{
    private const System.Reflection.BindingFlags All = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic;

    public static void Print(IServiceProvider services)
    {
        var registryType = typeof(Microsoft.AspNetCore.Components.Server.CircuitOptions).Assembly.GetType("Microsoft.AspNetCore.Components.Server.Circuits.CircuitRegistry", throwOnError: true)!;
        var registry = services.GetRequiredService(registryType);
        var connected = (System.Collections.IDictionary)registryType.GetProperty("ConnectedCircuits", All)!.GetValue(registry)!;
        var byType = new Dictionary<string, (int Count, long Bytes)>();
        foreach (var host in connected.Values)
        {
            var renderer = host!.GetType().GetProperty("Renderer", All)!.GetValue(host)!;
            var states = (System.Collections.IDictionary)Field(renderer, "_componentStateById")!;
            foreach (var state in states.Values)
            {
                var component = state!.GetType().GetProperty("Component", All)!.GetValue(state)!;
                var name = component.GetType().Name;
                var bytes = Fields(state.GetType()).Where(f => f.FieldType == typeof(Microsoft.AspNetCore.Components.Rendering.RenderTreeBuilder))
                    .Sum(f => FrameBytes(f.GetValue(state)));
                var (count, total) = byType.GetValueOrDefault(name);
                byType[name] = (count + 1, total + bytes);
            }
        }
        var circuits = Math.Max(1, connected.Count);
        Console.WriteLine($"{connected.Count} circuits; per circuit: {byType.Values.Sum(v => v.Count) / (double)circuits:N0} components, " +
            $"{byType.Values.Sum(v => v.Bytes) / circuits / 1024.0:N0} KiB of render-tree frames");
        foreach (var (name, (count, bytes)) in byType.OrderByDescending(x => x.Value.Bytes).Take(40))
        {
            Console.WriteLine($"  {name,-48} {count / (double)circuits,6:N1} {bytes / circuits / 1024.0,8:N1} KiB");
        }
    }

    private static IEnumerable<System.Reflection.FieldInfo> Fields(Type? type)
    {
        for (; type is not null; type = type.BaseType)
        {
            foreach (var field in type.GetFields(All | System.Reflection.BindingFlags.DeclaredOnly))
            {
                yield return field;
            }
        }
    }

    private static object? Field(object target, string name)
    {
        for (var type = target.GetType(); type is not null; type = type.BaseType)
        {
            if (type.GetField(name, All) is { } field)
            {
                return field.GetValue(target);
            }
        }
        return null;
    }

    private static long FrameBytes(object? builder) => builder is null ? 0 : ArrayBytes(Field(builder, "_entries"));

    private static long ArrayBytes(object? arrayBuilder) =>
        arrayBuilder is not null && Field(arrayBuilder, "_items") is Array items
            ? items.Length * (long)System.Runtime.CompilerServices.Unsafe.SizeOf<Microsoft.AspNetCore.Components.RenderTree.RenderTreeFrame>()
            : 0;
}

/// <summary>
/// How soon each console page is usable, in Chromium: for each page, <c>runs</c> navigations (after two to warm up),
/// and p50 / p95 of (a) first contentful paint, (b) the page's content shown (its rows, figures or heading), (c) the
/// page interactive (the circuit has started: keys and clicks are handled), each in ms from the navigation's start.
/// </summary>
internal static class PageTimings
{
    public static async Task RunAsync(IPage page, int runs)
    {
        // Ids to open: a customer and an order from the lists' first rows.
        await page.GotoAsync("customers");
        var customer = await page.Locator("[data-testid=customer-table] tbody tr a").First.GetAttributeAsync("href");
        var email = (await page.Locator("[data-testid=customer-table] tbody tr td[data-label=Email]").First.InnerTextAsync()).Trim();
        await page.GotoAsync("orders");
        var order = await page.Locator("[data-testid=orders-table] tbody tr a").First.GetAttributeAsync("href");
        (string Name, string Path, string Content)[] pages =
        [
            ("home", "", "[data-testid=kpi-customers]"),
            ("customers list", "customers", "[data-testid=customer-table] tbody tr"),
            ("one box \"son\"", "customers?q=son", "[data-testid=customer-table] tbody tr"),
            ("email equals", $"customers?filter={Uri.EscapeDataString($"eq(email,{email})")}", "[data-testid=customer-table] tbody tr"),
            ("deep page (400)", "customers?page=400", "[data-testid=customer-table] tbody tr"),
            ("customer: details", $"{customer}?tab=details", "#customer-name"),
            ("customer: addresses", $"{customer}?tab=addresses", "[data-testid=add-address]"),
            ("customer: orders", $"{customer}?tab=orders", "[data-testid=customer-heading]"),
            ("customer: history", $"{customer}?tab=history", "[data-testid=customer-heading]"),
            ("orders list", "orders", "[data-testid=orders-table] tbody tr"),
            ("an order", order ?? "orders", "h1"),
            ("activity", "activity", "[data-testid=activity-table], [data-testid=activity-empty]"),
            ("duplicates", "customers/duplicates", "h1"),
            ("accounts", "accounts", "h1"),
        ];
        Console.WriteLine($"Console pages, {runs} navigations each after 2 to warm up (ms from the navigation's start):");
        Console.WriteLine($"{"page",-22} {"paint p50",10} {"p95",6} {"content p50",12} {"p95",6} {"interactive p50",16} {"p95",6}");
        foreach (var (name, path, content) in pages)
        {
            var paint = new List<double>();
            var shown = new List<double>();
            var ready = new List<double>();
            for (var i = 0; i < runs + 2; i++)
            {
                await page.GotoAsync(path, new() { WaitUntil = WaitUntilState.Commit });
                await page.Locator(content).First.WaitForAsync();
                var contentAt = await page.EvaluateAsync<double>("() => performance.now()");
                await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
                var readyAt = await page.EvaluateAsync<double>("() => performance.now()");
                var paintAt = await page.EvaluateAsync<double>("() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1");
                if (i >= 2)
                {
                    paint.Add(paintAt);
                    shown.Add(contentAt);
                    ready.Add(readyAt);
                }
            }
            Console.WriteLine($"{name,-22} {Pct(paint, 0.5),10:N0} {Pct(paint, 0.95),6:N0} {Pct(shown, 0.5),12:N0} {Pct(shown, 0.95),6:N0} {Pct(ready, 0.5),16:N0} {Pct(ready, 0.95),6:N0}");
        }
    }

    private static double Pct(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}
