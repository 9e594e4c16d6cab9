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
            await using var app = new TabBenchApp(Path.Combine(folder, "tabs.db"));
            app.Start();
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox"] });
            var context = await browser.NewContextAsync(new() { BaseURL = app.BaseUrl, ViewportSize = new() { Width = 1400, Height = 900 } });
            context.SetDefaultTimeout(60_000);
            var first = await context.NewPageAsync();
            await first.GotoAsync("Account/Login");
            await first.GetByLabel("Email").FillAsync(TabBenchApp.AdminEmail);
            await first.GetByLabel("Password").FillAsync(TabBenchApp.AdminPassword);
            await first.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await first.WaitForURLAsync("**/customers");
            await OpenedAsync(first, "customers");

            var before = Measure();
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
        await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        if (path == "customers")
        {
            await page.Locator("[data-testid=customer-table] tbody tr").First.WaitForAsync();
        }
        else
        {
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        }
    }

    private static (long Managed, long WorkingSet) Measure()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
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
