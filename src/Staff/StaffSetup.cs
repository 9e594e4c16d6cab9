using CommerceManager.History;
using FluentValidation;

namespace CommerceManager.Staff;

public static class StaffSetup
{
    public static IServiceCollection AddStaff(this IServiceCollection services)
    {
        services.AddSingleton<IValidator<StaffInput>, StaffInputValidator>();
        services.AddSingleton<StaffService>();
        services.AddSingleton<StaffPreferences>();
        // Staff added, changed, locked out or deleted, and their passwords set or reset (never a value), on the Activity page.
        services.AddHistoryRule(HistoryRule.For<Data.StaffUser>("staff", ChangeKinds.Settings, u => Guid.TryParse(u.Id, out var id) ? id : Guid.Empty, _ => null,
                u => string.IsNullOrEmpty(u.DisplayName) ? u.Email : u.DisplayName)
            .Field(nameof(Data.StaffUser.Email), "email").Field(nameof(Data.StaffUser.DisplayName), "display_name")
            .Field(nameof(Data.StaffUser.MustChangePassword), "must_change_password").Field(nameof(Data.StaffUser.LockoutEnd), "lockout_end")
            .WithPassword(nameof(Data.StaffUser.PasswordHash)));
        return services;
    }
}
