using Microsoft.AspNetCore.Cors.Infrastructure;

namespace CommerceManager.Api;

/// <summary>
/// Who may call the API from a browser. Storefronts use EP's implicit tokens from their own origin, so by default any
/// origin may (as EP allows); the API authenticates with bearer headers, never cookies, so credentials are never allowed.
/// </summary>
public sealed class CorsSettings
{
    /// <summary>Origins allowed to call the API from a browser (e.g. https://shop.example); empty allows any.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>How long a browser may cache a preflight's answer.</summary>
    public int MaxAgeSeconds { get; set; } = 86_400;

    /// <summary>The request headers storefront clients send: EP's own, and the official SDK's.</summary>
    public static readonly string[] AllowedHeaders =
    [
        "Authorization", "Content-Type", "Accept", "Accept-Language",
        "X-Moltin-Customer-Token", "X-Moltin-Currency", "X-Moltin-Language", "X-Moltin-Channel",
        "X-MOLTIN-SDK-LANGUAGE", "X-MOLTIN-SDK-VERSION", "X-MOLTIN-APPLICATION", "X-MOLTIN-AUTH-STORE",
        "EP-Channel", "EP-Context-Tag", "EP-Account-Management-Authentication-Token",
    ];

    public void Apply(CorsPolicyBuilder policy)
    {
        var origins = AllowedOrigins.SelectMany(o => o.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries)).ToArray();
        if (origins.Length == 0)
        {
            policy.AllowAnyOrigin();
        }
        else
        {
            policy.WithOrigins(origins);
        }
        policy.WithMethods("GET", "POST", "PUT", "DELETE", "OPTIONS")
            .WithHeaders(AllowedHeaders)
            .SetPreflightMaxAge(TimeSpan.FromSeconds(MaxAgeSeconds));
    }
}
