using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CommerceManager.E2E;

/// <summary>
/// A storefront on an origin of its own (http://localhost:&lt;port&gt;, while the API is at http://127.0.0.1:&lt;port&gt;): it
/// serves one page and the official SDK's browser build, so the browser applies CORS to every API call as it would
/// for https://shop.example.
/// </summary>
public sealed class ShopOrigin : IAsyncDisposable
{
    private WebApplication? app;

    public string Origin { get; private set; } = "";

    /// <summary>Serves <paramref name="page"/> at / and /oidc, and @moltin/sdk's dist/moltin.js at /moltin.js.</summary>
    public async Task StartAsync(string page)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        app = builder.Build();
        var sdk = Path.Combine(BrowserFixture.RepositoryRoot, "tests", "js", "node_modules", "@moltin", "sdk", "dist", "moltin.js");
        if (!File.Exists(sdk))
        {
            throw new InvalidOperationException("@moltin/sdk is not installed: run ./test.sh (it runs npm ci in tests/js).");
        }
        app.MapGet("/moltin.js", () => Results.File(sdk, "text/javascript"));
        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
        app.MapGet("/oidc", () => Results.Content(page, "text/html; charset=utf-8"));
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        Origin = $"http://localhost:{port}";
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }
}
