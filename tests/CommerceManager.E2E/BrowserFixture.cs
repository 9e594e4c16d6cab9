using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommerceManager.Testing;

namespace CommerceManager.E2E;

/// <summary>The app on a real Kestrel port (loopback only) over its own SQLite file.</summary>
public sealed class KestrelApp : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@e2e.example";
    public const string AdminPassword = "e2e admin password 1";
    public const string ApiClientId = "e2e-client";
    public const string ApiClientSecret = "e2e-client-secret-0123456789";

    private readonly TestStore store = TestStore.Create("cm-e2e-");

    public KestrelApp() => UseKestrel(o => o.Listen(IPAddress.Loopback, 0));

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in store.Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.UseSetting("Bootstrap:AdminEmail", AdminEmail);
        builder.UseSetting("Bootstrap:AdminPassword", AdminPassword);
        builder.UseSetting("Seed:DemoData", "true");
        builder.UseSetting("Seed:DemoCustomers", "60");
        builder.UseSetting("Bootstrap:ApiClientId", ApiClientId);
        builder.UseSetting("Bootstrap:ApiClientSecret", ApiClientSecret);
        // The test identity provider listens on loopback, which the store refuses by default.
        builder.UseSetting("CustomerSignIn:AllowPrivateProviders", "true");
        // Import from Elastic Path reads a second instance on loopback in the tests.
        builder.UseSetting("Imports:AllowPrivateSources", "true");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public void Start()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().TrimEnd('/') + "/";
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await store.DisposeAsync();
    }
}

/// <summary>Debian's Chromium driven by Playwright (its own browser download does not work offline).</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public KestrelApp App { get; } = new();
    public IPlaywright Playwright { get; private set; } = default!;
    public IBrowser Browser { get; private set; } = default!;

    public static string ScreenshotDirectory => FindScreenshotDirectory();

    public async Task InitializeAsync()
    {
        App.Start();
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException($"Chromium is not installed at {chromium}. Run ./test.sh (it installs it) or set CHROMIUM_PATH.");
        }
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = App.BaseUrl,
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await App.DisposeAsync();
    }

    /// <summary>The repository root (where CommerceManager.sln is).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CommerceManager.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Run the tests from inside the repository.");
    }

    private static string FindScreenshotDirectory()
    {
        var path = Path.Combine(RepositoryRoot, "artifacts", "screenshots");
        Directory.CreateDirectory(path);
        return path;
    }
}

public static class PageExtensions
{
    /// <summary>Waits until the Blazor circuit is live, so clicks reach the server.</summary>
    public static Task WaitForCircuitAsync(this IPage page) =>
        page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });

    public static async Task ShotAsync(this IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });

    /// <summary>
    /// Waits (polling the address, up to the default timeout) until the page is at the glob's address: "**" any text,
    /// "*" any text without "/". Not a wait for a navigation event, which a slow server can fire before the wait begins.
    /// </summary>
    public static Task ExpectUrlAsync(this IPage page, string glob)
    {
        var pattern = System.Text.RegularExpressions.Regex.Escape(glob).Replace(@"\*\*", ".*").Replace(@"\*", "[^/]*");
        return Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("^" + (glob.Contains("://") ? "" : ".*") + pattern + "$"));
    }

    public static async Task SignInAsync(this IPage page, string email, string password)
    {
        // Straight back to the customers list, where most journeys start (a sign-in of its own lands on Home).
        await page.GotoAsync("Account/Login?ReturnUrl=%2Fcustomers");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // The list, or the saved view it opens with.
        await page.ExpectUrlAsync("**/customers**");
        await page.WaitForCircuitAsync();
    }
}
