using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Tests.Infrastructure;
using CommerceManager.Tokens;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CommerceManager.Tests.Tokens;

public sealed class TokenServiceTests
{
    private static TokenService Instance(IDbContextFactory<AppDbContext> factory, IDataProtectionProvider protection, TimeProvider? clock = null) =>
        new(factory, protection, clock ?? TimeProvider.System, NullLogger<TokenService>.Instance);

    [Fact]
    public async Task The_signing_key_persists_across_restarts_and_instances_sharing_the_keys()
    {
        await using var services = await TestServices.CreateAsync();
        var factory = services.Get<IDbContextFactory<AppDbContext>>();
        var protection = new EphemeralDataProtectionProvider();
        var token = await Instance(factory, protection).IssueAccessTokenAsync("client", TokenService.GrantImplicit);

        Assert.Equal("client", (await Instance(factory, protection).ValidateAccessTokenAsync(token.Token))?.ClientId);
        Assert.Null(await Instance(factory, protection).ValidateAccessTokenAsync("not.a.token"));
    }

    [Fact]
    public async Task An_instance_that_cannot_unseal_the_shared_key_refuses_loudly_and_never_replaces_it()
    {
        await using var services = await TestServices.CreateAsync();
        var factory = services.Get<IDbContextFactory<AppDbContext>>();
        var protection = new EphemeralDataProtectionProvider();
        var token = await Instance(factory, protection).IssueAccessTokenAsync("client", TokenService.GrantImplicit);
        var stored = await KeysAsync(factory);

        // A second instance started with other Data Protection keys (a missing shared folder, a wrong certificate).
        var misconfigured = Instance(factory, new EphemeralDataProtectionProvider());
        var validate = await Assert.ThrowsAsync<SigningKeyUnavailableException>(() => misconfigured.ValidateAccessTokenAsync(token.Token));
        Assert.Contains("DataProtection__KeysPath", validate.Message);
        await Assert.ThrowsAsync<SigningKeyUnavailableException>(() => misconfigured.IssueAccessTokenAsync("client", TokenService.GrantImplicit));
        await Assert.ThrowsAsync<SigningKeyUnavailableException>(() => misconfigured.RotateAsync());

        // The key every other instance uses is untouched, and their tokens keep working.
        Assert.Equal(stored, await KeysAsync(factory));
        Assert.NotNull(await Instance(factory, protection).ValidateAccessTokenAsync(token.Token));
    }

    [Fact]
    public async Task Rotation_signs_new_tokens_with_a_new_key_and_keeps_the_previous_one_for_a_token_lifetime()
    {
        await using var services = await TestServices.CreateAsync();
        var factory = services.Get<IDbContextFactory<AppDbContext>>();
        var protection = new EphemeralDataProtectionProvider();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 9, 0, 0, TimeSpan.Zero));
        var node = Instance(factory, protection, clock);
        var other = Instance(factory, protection, clock);
        var customerId = await CustomerAsync(services);

        var before = await node.IssueCustomerTokenAsync(customerId, "password");
        Assert.NotNull(await other.ValidateCustomerTokenAsync(before.Token));
        var second = await node.RotateAsync();
        Assert.Equal(["1", "default"], await KeysAsync(factory));

        var after = await node.IssueCustomerTokenAsync(customerId, "password");
        Assert.NotEqual(KeyIdOf(before.Token), KeyIdOf(after.Token));
        Assert.Equal(second, KeyIdOf(after.Token));
        // Nobody is signed out by a rotation: the token signed under the previous key still works.
        Assert.NotNull(await node.ValidateCustomerTokenAsync(before.Token));

        // The other instance learns of the new key within a minute.
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.NotNull(await other.ValidateCustomerTokenAsync(after.Token));
        Assert.NotNull(await other.ValidateCustomerTokenAsync(before.Token));

        // A day after the rotation every token the old key signed has expired; the next rotation drops that key.
        clock.Advance(TimeSpan.FromHours(25));
        await node.RotateAsync();
        Assert.Equal(["2", "1"], await KeysAsync(factory));
    }

    [Fact]
    public async Task A_database_whose_keys_nobody_can_read_can_be_given_a_new_key_on_purpose()
    {
        await using var services = await TestServices.CreateAsync();
        var factory = services.Get<IDbContextFactory<AppDbContext>>();
        var lost = await Instance(factory, new EphemeralDataProtectionProvider()).IssueAccessTokenAsync("client", TokenService.GrantImplicit);

        var recovered = Instance(factory, new EphemeralDataProtectionProvider());
        await recovered.RotateAsync(discardExisting: true);

        Assert.Equal(["1"], await KeysAsync(factory));
        Assert.Null(await recovered.ValidateAccessTokenAsync(lost.Token));
        var fresh = await recovered.IssueAccessTokenAsync("client", TokenService.GrantImplicit);
        Assert.NotNull(await recovered.ValidateAccessTokenAsync(fresh.Token));
    }

    [Fact]
    public async Task An_access_token_checked_before_still_expires_on_time_and_ends_when_its_keys_are_discarded()
    {
        await using var services = await TestServices.CreateAsync();
        var factory = services.Get<IDbContextFactory<AppDbContext>>();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 9, 0, 0, TimeSpan.Zero));
        var node = Instance(factory, new EphemeralDataProtectionProvider(), clock);
        var token = await node.IssueAccessTokenAsync("client", TokenService.GrantImplicit);
        Assert.Equal("client", (await node.ValidateAccessTokenAsync(token.Token))?.ClientId);
        Assert.Equal("client", (await node.ValidateAccessTokenAsync(token.Token))?.ClientId); // the remembered answer

        clock.Advance(TokenService.AccessTokenLifetime + TimeSpan.FromMinutes(1));
        Assert.Null(await node.ValidateAccessTokenAsync(token.Token));

        var fresh = await node.IssueAccessTokenAsync("client", TokenService.GrantImplicit);
        Assert.NotNull(await node.ValidateAccessTokenAsync(fresh.Token));
        await node.RotateAsync(discardExisting: true);
        Assert.Null(await node.ValidateAccessTokenAsync(fresh.Token));
    }

    private static async Task<List<string>> KeysAsync(IDbContextFactory<AppDbContext> factory)
    {
        await using var db = await factory.CreateDbContextAsync();
        return await db.SigningKeys.OrderByDescending(k => k.CreatedAt).Select(k => k.Id).ToListAsync();
    }

    private static string KeyIdOf(string token) => new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).Kid;

    private static async Task<Guid> CustomerAsync(TestServices services) =>
        (await services.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Rota Tion", Email = "rotation@example.com" })).Value!.Id;
}
