using System.Security.Claims;
using CommerceManager.Common;
using CommerceManager.Security;
using CommerceManager.Staff;
using CommerceManager.Tests.Infrastructure;
using CommerceManager.Views;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Staff;

public sealed class SavedViewServiceTests : IAsyncLifetime
{
    private TestServices services = default!;
    private SavedViewService Views => services.Get<SavedViewService>();

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

    /// <summary>A real staff member (views and settings belong to one) and the principal the console gives them.</summary>
    private async Task<ClaimsPrincipal> StaffAsync(string email, string role)
    {
        var staff = services.Get<StaffService>();
        var result = await staff.CreateAsync(As.Admin, new StaffInput { Email = email, DisplayName = email.Split('@')[0], Role = role, Password = "a fine long password" });
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        var id = (await staff.ListAsync(As.Admin)).Single(s => s.Email == email).Id;
        return new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, email), new Claim(ClaimTypes.NameIdentifier, id), new Claim(ClaimTypes.Role, role)], "test"));
    }

    [Fact]
    public async Task A_saved_view_is_its_owners_until_an_admin_shares_one_with_all_staff()
    {
        var rita = await StaffAsync("rita@example.com", Roles.Representative);
        var vic = await StaffAsync("vic@example.com", Roles.Viewer);
        var ada = await StaffAsync("ada@example.com", Roles.Admin);

        var mine = await Views.SaveAsync(rita, ViewLists.Customers, "  No password  ", "?password=notset&page=3", shared: false, makeDefault: false);
        Assert.True(mine.IsOk, mine.Error);
        Assert.Equal("No password", mine.Value!.Name);
        Assert.Equal("password=notset", mine.Value.Query);

        // Private: Vic does not see Rita's view.
        Assert.Equal(["No password"], (await Views.ListAsync(rita, ViewLists.Customers)).Select(v => v.Name));
        Assert.Empty(await Views.ListAsync(vic, ViewLists.Customers));

        // Only Admins share.
        var refused = await Views.SaveAsync(rita, ViewLists.Customers, "Everyone's", "q=ada", shared: true, makeDefault: false);
        Assert.Equal(OutcomeKind.Refused, refused.Kind);
        var shared = await Views.SaveAsync(ada, ViewLists.Customers, "VIP", "filter=eq(email,vip%40example.com)", shared: true, makeDefault: false);
        Assert.True(shared.IsOk, shared.Error);

        var seenByVic = Assert.Single(await Views.ListAsync(vic, ViewLists.Customers));
        Assert.Equal(("VIP", true, false, "ada"), (seenByVic.Name, seenByVic.Shared, seenByVic.Mine, seenByVic.OwnerName));
        // Shared first, then one's own; the orders list has none of them.
        Assert.Equal(["VIP", "No password"], (await Views.ListAsync(rita, ViewLists.Customers)).Select(v => v.Name));
        Assert.Empty(await Views.ListAsync(rita, ViewLists.Orders));
    }

    [Fact]
    public async Task Only_the_owner_changes_a_private_view_and_only_admins_a_shared_one()
    {
        var rita = await StaffAsync("rita@example.com", Roles.Representative);
        var rob = await StaffAsync("rob@example.com", Roles.Representative);
        var ada = await StaffAsync("ada@example.com", Roles.Admin);
        var ritas = (await Views.SaveAsync(rita, ViewLists.Orders, "Unpaid", "filter=eq(payment,unpaid)", false, false)).Value!;
        var shared = (await Views.SaveAsync(ada, ViewLists.Orders, "Paid", "filter=eq(payment,paid)", true, false)).Value!;

        // Rob can neither see nor delete Rita's view; Rita cannot delete or repoint the shared one.
        Assert.Equal(OutcomeKind.NotFound, (await Views.DeleteAsync(rob, ritas.Id)).Kind);
        Assert.Equal(OutcomeKind.Refused, (await Views.DeleteAsync(rita, shared.Id)).Kind);
        Assert.Equal(OutcomeKind.Refused, (await Views.UpdateQueryAsync(rita, shared.Id, "filter=eq(payment,refunded)")).Kind);
        Assert.Equal("filter=eq%28payment%2Cpaid%29", (await Views.ListAsync(rob, ViewLists.Orders)).Single().Query);

        // Rita repoints and deletes her own; an Admin deletes the shared one.
        var repointed = await Views.UpdateQueryAsync(rita, ritas.Id, "filter=eq(payment,pending)&page=2");
        Assert.Equal("filter=eq%28payment%2Cpending%29", repointed.Value!.Query);
        // Named as the list of views names its owner.
        Assert.Equal((await Views.ListAsync(rita, ViewLists.Orders)).Single(v => v.Id == ritas.Id).OwnerName, repointed.Value.OwnerName);
        Assert.NotEqual("", repointed.Value.OwnerName);
        Assert.True((await Views.DeleteAsync(rita, ritas.Id)).IsOk);
        Assert.True((await Views.DeleteAsync(ada, shared.Id)).IsOk);
        Assert.Empty(await Views.ListAsync(rita, ViewLists.Orders));
    }

    [Fact]
    public async Task A_name_is_used_once_per_person_and_list_and_must_be_given()
    {
        var rita = await StaffAsync("rita@example.com", Roles.Representative);
        var rob = await StaffAsync("rob@example.com", Roles.Representative);
        Assert.True((await Views.SaveAsync(rita, ViewLists.Customers, "Recent", "sort=-created_at", false, false)).IsOk);

        var twice = await Views.SaveAsync(rita, ViewLists.Customers, "Recent", "sort=name", false, false);
        Assert.Equal((OutcomeKind.Duplicate, "name"), (twice.Kind, twice.Field));
        Assert.Contains("already have a view called “Recent”", twice.Error);
        Assert.True((await Views.SaveAsync(rob, ViewLists.Customers, "Recent", "sort=name", false, false)).IsOk);
        Assert.True((await Views.SaveAsync(rita, ViewLists.Orders, "Recent", "", false, false)).IsOk);

        var blank = await Views.SaveAsync(rita, ViewLists.Customers, "   ", "q=x", false, false);
        Assert.Equal((OutcomeKind.Refused, "name"), (blank.Kind, blank.Field));
        Assert.Equal(OutcomeKind.Refused, (await Views.SaveAsync(rita, ViewLists.Customers, new string('x', 65), "q=x", false, false)).Kind);
        Assert.Equal(OutcomeKind.Refused, (await Views.SaveAsync(rita, "addresses", "Somewhere", "q=x", false, false)).Kind);
    }

    [Fact]
    public async Task The_list_opens_with_the_default_view_else_with_the_remembered_page_size_and_columns()
    {
        var rita = await StaffAsync("rita@example.com", Roles.Representative);
        string[] remembered = ["size", "cols"];
        Assert.Null(await Views.StartQueryAsync(rita, ViewLists.Customers, remembered));

        await Views.RememberAsync(rita, "customers:size", "50");
        await Views.RememberAsync(rita, "customers:cols", "orders,spent");
        Assert.Equal("cols=orders%2Cspent&size=50", await Views.StartQueryAsync(rita, ViewLists.Customers, remembered));

        var view = (await Views.SaveAsync(rita, ViewLists.Customers, "No password", "password=notset", false, makeDefault: true)).Value!;
        Assert.True(view.IsDefault);
        Assert.Equal("password=notset", await Views.StartQueryAsync(rita, ViewLists.Customers, remembered));
        // The "All customers" tab skips the default view but keeps the page size and columns.
        Assert.Equal("cols=orders%2Cspent&size=50", await Views.StartQueryAsync(rita, ViewLists.Customers, remembered, includeDefaultView: false));

        // No default any more: back to the remembered settings; a forgotten setting is gone.
        Assert.True((await Views.SetDefaultAsync(rita, ViewLists.Customers, null)).IsOk);
        Assert.False((await Views.ListAsync(rita, ViewLists.Customers)).Single().IsDefault);
        await Views.RememberAsync(rita, "customers:cols", null);
        Assert.Equal("size=50", await Views.StartQueryAsync(rita, ViewLists.Customers, remembered));

        // A deleted default view is no longer anyone's default.
        Assert.True((await Views.SetDefaultAsync(rita, ViewLists.Customers, view.Id)).IsOk);
        Assert.True((await Views.DeleteAsync(rita, view.Id)).IsOk);
        Assert.Equal("size=50", await Views.StartQueryAsync(rita, ViewLists.Customers, remembered));
        Assert.Equal(OutcomeKind.NotFound, (await Views.SetDefaultAsync(rita, ViewLists.Customers, view.Id)).Kind);
    }

    [Fact]
    public async Task A_shared_default_view_works_for_everyone_who_chose_it_and_each_keeps_their_own_settings()
    {
        var ada = await StaffAsync("ada@example.com", Roles.Admin);
        var vic = await StaffAsync("vic@example.com", Roles.Viewer);
        var shared = (await Views.SaveAsync(ada, ViewLists.Orders, "Paid", "filter=eq(payment,paid)", true, false)).Value!;

        Assert.True((await Views.SetDefaultAsync(vic, ViewLists.Orders, shared.Id)).IsOk);
        Assert.Equal("filter=eq%28payment%2Cpaid%29", await Views.StartQueryAsync(vic, ViewLists.Orders, []));
        Assert.Null(await Views.StartQueryAsync(ada, ViewLists.Orders, []));

        await Views.RememberAsync(vic, "customer:tab", "orders");
        await Views.RememberAsync(vic, "customer:tab", "addresses");
        Assert.Equal("addresses", await Views.RememberedAsync(vic, "customer:tab"));
        Assert.Null(await Views.RememberedAsync(ada, "customer:tab"));
        // A caller that is not a staff account has nothing remembered, and remembering is a no-op, not an error.
        await Views.RememberAsync(As.Viewer, "customer:tab", "orders");
        Assert.Null(await Views.RememberedAsync(As.Viewer, "customer:tab"));
    }

    [Theory]
    [InlineData("?page=4&sort=name&q=ada", "q=ada&sort=name")]
    [InlineData("view=all&size=50", "size=50")]
    [InlineData("filter=like(email,*%40example.com)", "filter=like%28email%2C%2A%40example.com%29")]
    [InlineData("", "")]
    public void Two_addresses_of_the_same_view_normalise_alike(string query, string expected) =>
        Assert.Equal(expected, SavedViewService.Normalize(query));
}
