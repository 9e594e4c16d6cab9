using FluentValidation;

namespace CommerceManager.Staff;

public static class StaffSetup
{
    public static IServiceCollection AddStaff(this IServiceCollection services)
    {
        services.AddSingleton<IValidator<StaffInput>, StaffInputValidator>();
        services.AddSingleton<StaffService>();
        services.AddSingleton<StaffPreferences>();
        return services;
    }
}
