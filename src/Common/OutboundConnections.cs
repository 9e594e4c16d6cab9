using System.Net;
using System.Net.Sockets;

namespace CommerceManager.Common;

/// <summary>Raised when an outside service's address is loopback, private, link-local or multicast and that is not allowed.</summary>
public sealed class PrivateAddressException(string host) : IOException($"{host} resolves to a private or local address.");

/// <summary>
/// The connections the store makes to outside services (identity providers, an EP store to import from, webhooks): the
/// host is resolved once, every address is checked, and the connection goes to a checked address, so neither an admin,
/// an API client nor a DNS answer that changes between the check and the connection (rebinding) can make the server
/// reach its own network. Each feature has its own "private is fine" switch for labs and tests.
/// </summary>
public static class OutboundConnections
{
    /// <summary>Checked connections, with the caller's "private is fine" switch.</summary>
    public static SocketsHttpHandler CreateHandler(Func<bool> allowPrivate) => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AllowAutoRedirect = false,
        // Through a proxy the check below would vet the proxy's address, not the host asked for: no proxy.
        UseProxy = false,
        ConnectCallback = async (context, ct) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
            if (addresses.Length == 0)
            {
                throw new SocketException((int)SocketError.HostNotFound);
            }
            if (!allowPrivate() && addresses.Any(IsPrivate))
            {
                throw new PrivateAddressException(host);
            }
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>Loopback, private (RFC 1918, unique-local), link-local, carrier-grade NAT, multicast, unspecified or broadcast.</summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return true;
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var v6 = address.GetAddressBytes();
            // Forms that carry an IPv4 address a gateway reaches for us: NAT64 (64:ff9b::/96), IPv4-compatible
            // (::a.b.c.d) and 6to4 (2002::/16). Refused whatever the IPv4 inside: no provider needs them.
            var nat64 = v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b && v6.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0;
            var compatible = v6.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0;
            var sixToFour = v6[0] == 0x20 && v6[1] == 0x02;
            return nat64 || compatible || sixToFour
                || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal;
        }
        var b = address.GetAddressBytes();
        return b[0] == 10 || b[0] == 0
            || (b[0] == 172 && b[1] is >= 16 and <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254)
            || (b[0] == 100 && b[1] is >= 64 and <= 127)
            || b[0] >= 224;
    }
}
