using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace CommerceManager.Api;

public sealed class RateLimitSettings
{
    /// <summary>Requests to POST /oauth/access_token per client IP per minute.</summary>
    public int AccessTokenPerIpPerMinute { get; set; } = 1200;
    /// <summary>Requests to POST /v2/customers/tokens per client IP per minute.</summary>
    public int CustomerTokenPerIpPerMinute { get; set; } = 600;
    /// <summary>Registrations (POST /v2/customers by a storefront, not a server with a secret) per client IP per minute.</summary>
    public int RegistrationsPerIpPerMinute { get; set; } = 30;
    /// <summary>Sign-ins started at the login proxy (GET /oidc-idp/login/…) per client IP per minute: each writes a row.</summary>
    public int LoginProxyPerIpPerMinute { get; set; } = 30;
    /// <summary>Sign-ins under way (started at the login proxy, not yet back from the provider, not expired) per client IP.</summary>
    public int PendingLoginsPerIp { get; set; } = 20;
    /// <summary>New carts a storefront (not a server with a secret) may open per client IP per minute: each is a row.</summary>
    public int NewCartsPerIpPerMinute { get; set; } = 60;
    /// <summary>One-time password requests (POST …/one-time-password-token-request) per client IP per minute: each may send a message.</summary>
    public int OneTimePasswordsPerIpPerMinute { get; set; } = 10;
    /// <summary>Failed sign-ins per account (email) before further attempts get 429 for the rest of the window.</summary>
    public int FailedSignInsPerAccount { get; set; } = 10;
    public int AccountWindowMinutes { get; set; } = 15;
}

/// <summary>
/// Rate limits for the two sign-in endpoints: per client IP (every request) and per account (failed attempts only,
/// so a customer who types their password right is never held up by someone guessing it).
/// </summary>
public sealed class ApiRateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> perIp;
    private readonly PartitionedRateLimiter<string> failuresPerAccount;
    private readonly RateLimitSettings settings;
    private readonly Common.AppMetrics metrics;

    public ApiRateLimits(IOptions<RateLimitSettings> options, Common.AppMetrics metrics)
    {
        settings = options.Value;
        this.metrics = metrics;
        perIp = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, k => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, k.Split(':')[0] switch
            {
                "oauth" => settings.AccessTokenPerIpPerMinute,
                "registration" => settings.RegistrationsPerIpPerMinute,
                "login-proxy" => settings.LoginProxyPerIpPerMinute,
                "new-cart" => settings.NewCartsPerIpPerMinute,
                "one-time-password" => settings.OneTimePasswordsPerIpPerMinute,
                _ => settings.CustomerTokenPerIpPerMinute,
            }),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));
        failuresPerAccount = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, settings.FailedSignInsPerAccount),
            Window = TimeSpan.FromMinutes(Math.Max(1, settings.AccountWindowMinutes)),
            SegmentsPerWindow = Math.Max(1, settings.AccountWindowMinutes),
            QueueLimit = 0,
        }));
    }

    /// <summary>Counts the request against its IP (an IPv6 client against its /64); throws 429 when over the limit.</summary>
    public void CheckIp(HttpContext context, string endpoint)
    {
        using var lease = perIp.AttemptAcquire($"{endpoint}:{ClientKey(context.Connection.RemoteIpAddress)}");
        if (!lease.IsAcquired)
        {
            metrics.RateLimited("ip", endpoint);
            throw TooMany(lease, TimeSpan.FromMinutes(1), "Too many requests from this address. Wait, then try again.");
        }
    }

    /// <summary>Throws 429 while an account has used up its failed attempts.</summary>
    public void CheckAccount(string account)
    {
        var stats = failuresPerAccount.GetStatistics(Bucket(account));
        if (stats is { CurrentAvailablePermits: <= 0 })
        {
            metrics.RateLimited("account", "customer-token");
            throw TooMany(null, TimeSpan.FromMinutes(1), "Too many failed sign-in attempts for this account. Wait a few minutes, then try again.");
        }
    }

    public void RecordFailure(string account)
    {
        metrics.CustomerSignInFailed();
        using var _ = failuresPerAccount.AttemptAcquire(Bucket(account));
    }

    /// <summary>
    /// Counts one more request for <paramref name="account"/> against the same window as failed sign-ins (one-time
    /// passwords: each request may send the shopper a message), and throws 429 when the window is used up.
    /// </summary>
    public void CountRequest(string account, string message)
    {
        using var lease = failuresPerAccount.AttemptAcquire(Bucket(account));
        if (!lease.IsAcquired)
        {
            metrics.RateLimited("account", account.Split(':')[0]);
            throw TooMany(null, TimeSpan.FromMinutes(1), message);
        }
    }

    /// <summary>
    /// The key a client is counted under: its IPv4 address, or the /64 of its IPv6 address (one home or server gets a
    /// whole /64, so counting single v6 addresses would count nothing), folded into a bounded number of buckets so a flood
    /// of addresses cannot grow the limiter's memory without end.
    /// </summary>
    public static string ClientKey(System.Net.IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            address = new System.Net.IPAddress(bytes);
        }
        return Bucket(address.ToString(), 0xFFFF);
    }

    /// <summary>
    /// One of a bounded number of buckets (65,536 for addresses, about a million for accounts): distinct keys rarely
    /// share one, and memory stays bounded. string hashes are randomised per process, so nobody can aim for a collision.
    /// </summary>
    private static string Bucket(string key, int mask = 0xFFFFF) =>
        ((uint)StringComparer.Ordinal.GetHashCode(key) & mask).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static ApiException TooMany(RateLimitLease? lease, TimeSpan fallback, string detail)
    {
        var retryAfter = lease is not null && lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : fallback;
        return new ApiException(429, "Too Many Requests", detail) { RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) };
    }

    public void Dispose()
    {
        perIp.Dispose();
        failuresPerAccount.Dispose();
    }
}
