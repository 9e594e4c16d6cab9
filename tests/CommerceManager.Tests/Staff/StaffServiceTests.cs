using CommerceManager.Data;
using CommerceManager.Security;
using CommerceManager.Staff;
using CommerceManager.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Staff;

public sealed class StaffServiceTests : IAsyncLifetime
{
    private TestServices services = default!;
    private StaffService Staff => services.Get<StaffService>();

    public async Task InitializeAsync()
    {
        services = await TestServices.CreateAsync();
        await using var scope = services.Provider.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            await roles.CreateAsync(new IdentityRole(role));
        }
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    private async Task<StaffSummary> AddAsync(string email, string role)
    {
        var result = await Staff.CreateAsync(As.Admin, new StaffInput { Email = email, DisplayName = email, Role = role, Password = "a fine long password" });
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        return (await Staff.ListAsync(As.Admin)).Single(s => s.Email == email);
    }

    [Fact]
    public async Task Admins_create_staff_with_a_role_and_change_it()
    {
        var rep = await AddAsync("rep@example.com", Roles.Representative);
        Assert.Equal(Roles.Representative, rep.Role);

        var changed = await Staff.ChangeRoleAsync(As.Admin, rep.Id, Roles.Viewer);

        Assert.True(changed.Succeeded);
        Assert.Equal(Roles.Viewer, (await Staff.ListAsync(As.Admin)).Single(s => s.Id == rep.Id).Role);
    }

    [Fact]
    public async Task Locking_shows_as_locked_and_blocks_sign_in_until_unlocked()
    {
        var rep = await AddAsync("rep@example.com", Roles.Representative);

        await Staff.SetLockedAsync(As.Admin, rep.Id, true);
        Assert.True((await Staff.ListAsync(As.Admin)).Single(s => s.Id == rep.Id).IsLockedOut);
        await Staff.SetLockedAsync(As.Admin, rep.Id, false);

        Assert.False((await Staff.ListAsync(As.Admin)).Single(s => s.Id == rep.Id).IsLockedOut);
    }

    [Fact]
    public async Task A_password_reset_replaces_the_old_password()
    {
        var rep = await AddAsync("rep@example.com", Roles.Representative);

        var reset = await Staff.ResetPasswordAsync(As.Admin, rep.Id, "a brand new password");

        Assert.True(reset.Succeeded);
        await using var scope = services.Provider.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var user = await users.FindByIdAsync(rep.Id);
        Assert.True(await users.CheckPasswordAsync(user!, "a brand new password"));
        Assert.False(await users.CheckPasswordAsync(user!, "a fine long password"));
    }

    [Fact]
    public async Task Staff_passwords_follow_the_same_policy()
    {
        var result = await Staff.CreateAsync(As.Admin, new StaffInput { Email = "x@example.com", DisplayName = "X", Role = Roles.Viewer, Password = "password1" });

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Description.Contains("too common", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_last_admin_cannot_be_demoted_or_locked()
    {
        var admin = await AddAsync("only.admin@example.com", Roles.Admin);

        Assert.False((await Staff.ChangeRoleAsync(As.Admin, admin.Id, Roles.Viewer)).Succeeded);
        Assert.False((await Staff.SetLockedAsync(As.Admin, admin.Id, true)).Succeeded);
        Assert.Equal(Roles.Admin, (await Staff.ListAsync(As.Admin)).Single().Role);
    }

    [Fact]
    public async Task Only_admins_manage_staff()
    {
        await Assert.ThrowsAsync<AccessDeniedException>(() => Staff.ListAsync(As.Representative));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Staff.CreateAsync(As.Viewer, new StaffInput()));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Staff.ChangeRoleAsync(As.Representative, "x", Roles.Admin));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Staff.SetLockedAsync(As.Representative, "x", true));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Staff.ResetPasswordAsync(As.Representative, "x", "whatever password"));
    }

    [Fact]
    public async Task A_new_staff_member_or_a_reset_password_can_be_made_to_choose_their_own_at_first_sign_in()
    {
        var created = await Staff.CreateAsync(As.Admin, new StaffInput
        {
            Email = "new.rep@example.com", DisplayName = "New Rep", Role = Roles.Representative, Password = "a fine long password", MustChangePassword = true,
        });
        Assert.True(created.Succeeded);
        var rep = (await Staff.ListAsync(As.Admin)).Single(s => s.Email == "new.rep@example.com");
        await using var scope = services.Provider.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var user = (await users.FindByIdAsync(rep.Id))!;
        Assert.True(user.MustChangePassword);
        var stamp = user.SecurityStamp;

        user.MustChangePassword = false;
        await users.UpdateAsync(user);
        Assert.True((await Staff.ResetPasswordAsync(As.Admin, rep.Id, "another fine long password", mustChange: true)).Succeeded);

        await using var fresh = services.Provider.CreateAsyncScope();
        var after = (await fresh.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByIdAsync(rep.Id))!;
        Assert.True(after.MustChangePassword);
        // A new stamp: the person's open sessions end at their next check.
        Assert.NotEqual(stamp, after.SecurityStamp);
    }
}
