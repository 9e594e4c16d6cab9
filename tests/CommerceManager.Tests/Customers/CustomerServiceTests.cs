using CommerceManager.Customers;
using CommerceManager.Common;
using CommerceManager.Data;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Customers;

public sealed class CustomerServiceTests : IAsyncLifetime
{
    private TestServices services = default!;
    private CustomerService Customers => services.Get<CustomerService>();

    public async Task InitializeAsync() => services = await TestServices.CreateAsync();
    public async Task DisposeAsync() => await services.DisposeAsync();

    private async Task<CustomerDto> CreateAsync(string name = "Ada Lovelace", string email = "ada@example.com", string? password = null)
    {
        var outcome = await Customers.CreateAsync(As.Representative, new CustomerInput { Name = name, Email = email, Password = password });
        Assert.Equal(OutcomeKind.Ok, outcome.Kind);
        return outcome.Value!;
    }

    [Fact]
    public async Task Creating_a_customer_stores_trimmed_values_and_reads_them_back()
    {
        var created = await CreateAsync("  Ada Lovelace ", " Ada@Example.com ");

        var read = await Customers.GetAsync(As.Viewer, created.Id);

        Assert.NotNull(read);
        Assert.Equal("Ada Lovelace", read.Name);
        Assert.Equal("Ada@Example.com", read.Email);
        Assert.False(read.HasPassword);
        Assert.Equal(read.CreatedAt, read.UpdatedAt);
    }

    [Fact]
    public async Task Editing_a_customer_changes_its_fields_and_its_updated_time()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await services.DisposeAsync();
        services = await TestServices.CreateAsync(s => s.AddSingleton<TimeProvider>(clock));
        var created = await CreateAsync();
        clock.Advance(TimeSpan.FromSeconds(1));

        var outcome = await Customers.UpdateAsync(As.Representative, created.Id,
            new CustomerInput { Name = "Ada King", Email = "ada.king@example.com", ExternalRef = "crm-1" }, created.Version);

        Assert.Equal(OutcomeKind.Ok, outcome.Kind);
        var read = await Customers.GetAsync(As.Viewer, created.Id);
        Assert.Equal("Ada King", read!.Name);
        Assert.Equal("ada.king@example.com", read.Email);
        Assert.Equal("crm-1", read.ExternalRef);
        Assert.True(read.UpdatedAt > read.CreatedAt);
        Assert.NotEqual(created.Version, read.Version);
    }

    [Fact]
    public async Task Deleting_a_customer_removes_it()
    {
        var created = await CreateAsync();

        Assert.True(await Customers.DeleteAsync(As.Representative, created.Id));

        Assert.Null(await Customers.GetAsync(As.Viewer, created.Id));
        Assert.False(await Customers.DeleteAsync(As.Representative, created.Id));
    }

    [Theory]
    [InlineData("ada@example.com")]
    [InlineData("ADA@EXAMPLE.COM")]
    [InlineData("  Ada@Example.Com  ")]
    public async Task An_email_taken_in_any_letter_case_is_refused_on_create(string email)
    {
        await CreateAsync(email: "ada@example.com");

        var outcome = await Customers.CreateAsync(As.Representative, new CustomerInput { Name = "Other", Email = email });

        Assert.Equal(OutcomeKind.Duplicate, outcome.Kind);
        Assert.Equal(nameof(CustomerInput.Email), outcome.Field);
        Assert.Equal(CustomerService.EmailTakenMessage, outcome.Error);
    }

    [Fact]
    public async Task An_email_taken_by_another_customer_is_refused_on_update_but_changing_its_case_is_allowed()
    {
        await CreateAsync("Ada", "ada@example.com");
        var grace = await CreateAsync("Grace", "grace@example.com");

        var taken = await Customers.UpdateAsync(As.Representative, grace.Id, new CustomerInput { Name = "Grace", Email = "ADA@example.com" }, null);
        var ownCase = await Customers.UpdateAsync(As.Representative, grace.Id, new CustomerInput { Name = "Grace", Email = "Grace@Example.com" }, null);

        Assert.Equal(OutcomeKind.Duplicate, taken.Kind);
        Assert.Equal(OutcomeKind.Ok, ownCase.Kind);
    }

    [Fact]
    public async Task Concurrent_creates_with_the_same_email_in_different_cases_create_exactly_one_customer()
    {
        var emails = new[] { "race@example.com", "RACE@example.com", "Race@Example.com", "race@EXAMPLE.com", "rAcE@example.com", "RACE@EXAMPLE.COM" };

        var outcomes = await Task.WhenAll(emails.Select(e =>
            Task.Run(() => Customers.CreateAsync(As.Representative, new CustomerInput { Name = "Racer", Email = e }))));

        Assert.Single(outcomes, o => o.Kind == OutcomeKind.Ok);
        Assert.All(outcomes.Where(o => !o.IsOk), o => Assert.Equal(OutcomeKind.Duplicate, o.Kind));
        await using var db = await services.DbAsync();
        Assert.Equal(1, await db.Customers.CountAsync(c => c.NormalizedEmail == "RACE@EXAMPLE.COM"));
    }

    [Fact]
    public async Task The_unique_index_refuses_a_duplicate_email_even_past_the_service()
    {
        await CreateAsync(email: "ada@example.com");
        await using var db = await services.DbAsync();
        var twin = new Customer { Id = Guid.NewGuid(), Version = Guid.NewGuid() };
        twin.SetName("Twin");
        twin.SetEmail("ADA@example.com");
        db.Customers.Add(twin);

        var ex = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.True(DbErrors.IsUniqueViolation(ex));
    }

    [Fact]
    public async Task A_password_is_stored_only_as_a_strong_hash_and_read_back_only_as_set()
    {
        var created = await CreateAsync(password: "correct horse battery staple");

        await using var db = await services.DbAsync();
        var stored = await db.Customers.SingleAsync(c => c.Id == created.Id);
        Assert.NotNull(stored.PasswordHash);
        Assert.DoesNotContain("correct horse", stored.PasswordHash);
        // Identity v3 format: 0x01 marker, PRF (2 = HMAC-SHA512), then the iteration count, big-endian.
        var bytes = Convert.FromBase64String(stored.PasswordHash!);
        Assert.Equal(0x01, bytes[0]);
        Assert.Equal(2u, ReadUInt32(bytes, 1));
        Assert.True(ReadUInt32(bytes, 5) >= 210_000);

        Assert.True(created.HasPassword);
        Assert.DoesNotContain(typeof(CustomerDto).GetProperties(), p => p.Name.Contains("Hash", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(created.Id, await Customers.VerifyPasswordAsync("ADA@example.com", "correct horse battery staple"));
        Assert.Null(await Customers.VerifyPasswordAsync("ada@example.com", "wrong password here"));
    }

    [Fact]
    public async Task A_password_can_be_set_later_and_replaced_without_touching_other_fields()
    {
        var created = await CreateAsync();
        Assert.False(created.HasPassword);

        var set = await Customers.SetPasswordAsync(As.Representative, created.Id, "first secret phrase", created.Version);
        var replaced = await Customers.SetPasswordAsync(As.Representative, created.Id, "second secret phrase", set.Value!.Version);

        Assert.True(replaced.Value!.HasPassword);
        Assert.Equal("Ada Lovelace", replaced.Value.Name);
        Assert.Null(await Customers.VerifyPasswordAsync("ada@example.com", "first secret phrase"));
        Assert.Equal(created.Id, await Customers.VerifyPasswordAsync("ada@example.com", "second secret phrase"));
    }

    [Theory]
    [InlineData("short", "at least 8")]
    [InlineData("password123", "too common")]
    public async Task Weak_passwords_are_refused_with_the_reason(string password, string reason)
    {
        var ex = await Assert.ThrowsAsync<ValidationException>(() =>
            Customers.CreateAsync(As.Representative, new CustomerInput { Name = "Ada", Email = "ada@example.com", Password = password }));

        Assert.Contains(ex.Errors, e => e.PropertyName == "Password" && e.ErrorMessage.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Saving_over_someone_elses_newer_change_is_refused_and_keeps_their_change()
    {
        var opened = await CreateAsync();
        var first = await Customers.UpdateAsync(As.Representative, opened.Id, new CustomerInput { Name = "First editor", Email = opened.Email }, opened.Version);
        Assert.True(first.IsOk);

        var second = await Customers.UpdateAsync(As.Representative, opened.Id, new CustomerInput { Name = "Second editor", Email = opened.Email }, opened.Version);

        Assert.Equal(OutcomeKind.Conflict, second.Kind);
        Assert.Equal(Outcome.StaleMessage, second.Error);
        Assert.Equal("First editor", (await Customers.GetAsync(As.Viewer, opened.Id))!.Name);
    }

    [Fact]
    public async Task Viewers_can_read_but_not_create_edit_or_delete()
    {
        var created = await CreateAsync();

        Assert.NotNull(await Customers.GetAsync(As.Viewer, created.Id));
        Assert.Equal(1, (await Customers.ListAsync(As.Viewer, new CustomerQuery())).Total);
        await Assert.ThrowsAsync<AccessDeniedException>(() => Customers.CreateAsync(As.Viewer, new CustomerInput { Name = "X", Email = "x@example.com" }));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Customers.UpdateAsync(As.Viewer, created.Id, new CustomerInput { Name = "X", Email = "x@example.com" }, null));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Customers.SetPasswordAsync(As.Viewer, created.Id, "some new password", null));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Customers.DeleteAsync(As.Viewer, created.Id));
        Assert.Equal("Ada Lovelace", (await Customers.GetAsync(As.Admin, created.Id))!.Name);
    }

    [Fact]
    public async Task Callers_without_a_staff_role_cannot_even_read()
    {
        await Assert.ThrowsAsync<AccessDeniedException>(() => Customers.ListAsync(As.Anonymous, new CustomerQuery()));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Customers.GetAsync(As.Anonymous, Guid.NewGuid()));
    }

    [Theory]
    [InlineData("", "ada@example.com", "Name", "Name is required.")]
    [InlineData("Ada", "", "Email", "Email is required.")]
    [InlineData("Ada", "not-an-email", "Email", "Email must be a valid email address, such as ada@example.com.")]
    [InlineData("Ada", "ada@localhost", "Email", "Email must be a valid email address, such as ada@example.com.")]
    public async Task Invalid_input_is_refused_with_a_message_for_the_field(string name, string email, string field, string message)
    {
        var ex = await Assert.ThrowsAsync<ValidationException>(() =>
            Customers.CreateAsync(As.Admin, new CustomerInput { Name = name, Email = email }));

        Assert.Contains(ex.Errors, e => e.PropertyName == field && e.ErrorMessage == message);
        await using var db = await services.DbAsync();
        Assert.Equal(0, await db.Customers.CountAsync());
    }

    private static uint ReadUInt32(byte[] b, int offset) =>
        (uint)(b[offset] << 24 | b[offset + 1] << 16 | b[offset + 2] << 8 | b[offset + 3]);
}
