using System.Net;
using CommerceManager.Security;
using CommerceManager.Staff;
using CommerceManager.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CommerceManager.Tests.Account;

/// <summary>A role change or a removal reaches cookie-only endpoints within minutes (security.md, row 23).</summary>
public sealed class StaffSessionTests
{
    private sealed class ClockedApp : AppFactory
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        protected override void ReplaceServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
    }

    [Theory]
    [InlineData("role")]
    [InlineData("removal")]
    public async Task A_representative_made_viewer_or_removed_loses_representative_pages_within_two_minutes(string change)
    {
        await using var app = new ClockedApp();
        app.CreateClient();
        var staff = app.Services.GetRequiredService<StaffService>();
        Assert.True((await staff.CreateAsync(As.Admin, new StaffInput
        {
            Email = "rita.rep@session.example", DisplayName = "Rita", Role = Roles.Representative, Password = "rita's long password 1",
        })).Succeeded);
        var rita = await app.SignedInClientAsync("rita.rep@session.example", "rita's long password 1");
        Assert.Equal(HttpStatusCode.OK, (await rita.GetAsync("/customers/import")).StatusCode);
        var id = (await staff.ListAsync(As.Admin)).Single(s => s.Email == "rita.rep@session.example").Id;

        var admin = As.Role(Roles.Admin, AppFactory.AdminEmail);
        Assert.True(change == "role"
            ? (await staff.ChangeRoleAsync(admin, id, Roles.Viewer)).Succeeded
            : (await staff.RemoveAsync(admin, id)).Succeeded);
        app.Clock.Advance(TimeSpan.FromMinutes(2));

        var after = await rita.GetAsync("/customers/import");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Contains("/Account/Login", after.Headers.Location!.ToString());
    }
}
