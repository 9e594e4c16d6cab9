using CommerceManager.Tokens;
using CommerceManager.Querying;
using CommerceManager.Data;
using CommerceManager.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace CommerceManager.Tests.Tokens;

public sealed class TokenServiceTests
{
    [Fact]
    public async Task The_signing_key_persists_across_restarts_and_is_replaced_if_its_protection_keys_are_lost()
    {
        await using var services = await TestServices.CreateAsync();
        var factory = services.Get<IDbContextFactory<AppDbContext>>();
        var protection = new EphemeralDataProtectionProvider();
        var first = new TokenService(factory, protection, TimeProvider.System, NullLogger<TokenService>.Instance);
        var token = await first.IssueAccessTokenAsync("client", TokenService.GrantImplicit);

        var restarted = new TokenService(factory, protection, TimeProvider.System, NullLogger<TokenService>.Instance);
        var keysLost = new TokenService(factory, new EphemeralDataProtectionProvider(), TimeProvider.System, NullLogger<TokenService>.Instance);

        Assert.Equal("client", (await restarted.ValidateAccessTokenAsync(token.Token))?.ClientId);
        Assert.Null(await keysLost.ValidateAccessTokenAsync(token.Token));
        var fresh = await keysLost.IssueAccessTokenAsync("client", TokenService.GrantImplicit);
        Assert.NotNull(await keysLost.ValidateAccessTokenAsync(fresh.Token));
        Assert.Null(await new TokenService(factory, protection, TimeProvider.System, NullLogger<TokenService>.Instance).ValidateAccessTokenAsync("not.a.token"));
    }
}
