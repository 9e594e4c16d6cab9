using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.HttpOverrides;

namespace CommerceManager.Security;

/// <summary>Which proxies may tell the app the client's address and scheme (X-Forwarded-For / -Proto / -Host).</summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>Proxy addresses, e.g. 10.0.0.5. None by default: no forwarded header is trusted.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR form, e.g. 10.0.0.0/8.</summary>
    public string[] KnownNetworks { get; set; } = [];
}

/// <summary>
/// Transport and browser protections: forwarded headers from trusted proxies only, HTTPS redirection and HSTS when the
/// app is reachable beyond this machine, and headers that keep the console out of frames and scripts from elsewhere.
/// </summary>
public static class WebSecurity
{
    /// <summary>The per-request nonce the console's inline import map carries (the CSP allows no other inline script).</summary>
    public const string NonceItem = "csp-nonce";

    public static IServiceCollection AddWebSecurity(this IServiceCollection services, IConfiguration config)
    {
        var settings = config.GetSection("ForwardedHeaders").Get<ForwardedHeadersSettings>() ?? new ForwardedHeadersSettings();
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            // Trust nothing unless configured (ASP.NET trusts loopback by default).
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            // The older list still holds 127.0.0.0/8 by default, and the middleware reads it too.
#pragma warning disable ASPDEPR005
            o.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
            foreach (var proxy in Split(settings.KnownProxies))
            {
                o.KnownProxies.Add(IPAddress.Parse(proxy));
            }
            foreach (var network in Split(settings.KnownNetworks))
            {
                o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
            o.ForwardLimit = Math.Max(1, o.KnownProxies.Count + o.KnownIPNetworks.Count);
        });
        services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.IncludeSubDomains = false;
        });
        return services;
    }

    /// <summary>
    /// Forwarded headers are read only when proxies are configured: with empty lists the middleware would trust any
    /// sender (that is its documented default), so then it is not added at all.
    /// </summary>
    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app, IConfiguration config)
    {
        var settings = config.GetSection("ForwardedHeaders").Get<ForwardedHeadersSettings>() ?? new ForwardedHeadersSettings();
        return Split(settings.KnownProxies).Any() || Split(settings.KnownNetworks).Any() ? app.UseForwardedHeaders() : app;
    }

    private static IEnumerable<string> Split(string[] values) =>
        values.SelectMany(v => v.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>
    /// HTTPS redirection and HSTS outside Development, unless the app only listens on plain http on loopback (a
    /// development machine, or a TLS proxy on the same host that forwards the scheme).
    /// </summary>
    public static bool WantsHttps(IHostEnvironment environment, IConfiguration config)
    {
        if (environment.IsDevelopment())
        {
            return false;
        }
        var urls = (config["ASPNETCORE_URLS"] ?? config["urls"] ?? config["URLS"] ?? "http://localhost:5000")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return !urls.All(IsLoopbackHttp);
    }

    private static bool IsLoopbackHttp(string url)
    {
        var normalized = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        return Uri.TryCreate(normalized, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp
            && (uri.IsLoopback || uri.Host == "localhost");
    }

    /// <summary>
    /// Headers on every response: the API gets nosniff (it never serves HTML); the console and sign-in pages also get a
    /// Content-Security-Policy that Blazor Server and MudBlazor work under (own scripts plus the nonce'd import map,
    /// inline styles for MudBlazor's theme, the circuit's WebSocket to this origin), no framing and no referrer.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, Func<PathString, bool> isApi) => app.Use((context, next) =>
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        if (isApi(context.Request.Path))
        {
            return next(context);
        }
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        if (context.Request.Path.StartsWithSegments("/api-reference") || context.Request.Path.StartsWithSegments("/openapi"))
        {
            // The API reference page (Scalar) runs its own inline scripts: it only may not be framed.
            headers.ContentSecurityPolicy = "frame-ancestors 'none'";
            return next(context);
        }
        // Hex: nothing in it that HTML attribute encoding would change.
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceItem] = nonce;
        headers.ContentSecurityPolicy = string.Join("; ",
            "default-src 'self'",
            $"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'");
        return next(context);
    });
}
