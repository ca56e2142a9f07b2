using System;
using System.Collections.Generic;

namespace Unetr.Model.Data.Nifti;

/// <summary>The three ways the NIfTI standard maps voxel indices (i, j, k) to world coordinates.</summary>
internal static class NiftiAffine
{
    /// <summary>Method 3: the sform rows as they are.</summary>
    public static double[,] FromRows(IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<double> z)
    {
        var affine = new double[4, 4];
        for (var column = 0; column < 4; column++)
        {
            affine[0, column] = x[column];
            affine[1, column] = y[column];
            affine[2, column] = z[column];
        }

        affine[3, 3] = 1;
        return affine;
    }

    /// <summary>Method 1: spacing on the diagonal, no rotation, no offset.</summary>
    public static double[,] Diagonal(double dx, double dy, double dz) =>
        new double[,] { { dx, 0, 0, 0 }, { 0, dy, 0, 0 }, { 0, 0, dz, 0 }, { 0, 0, 0, 1 } };

    /// <summary>
    /// Method 2: rotation from the unit quaternion (a, b, c, d) with a = √(1 − b² − c² − d²), columns scaled by the
    /// spacing, the z column negated when qfac is negative, then the offset. As nifti1_io does, a spacing that is not
    /// positive counts as 1, and b, c, d slightly outside the unit ball (float rounding) are renormalised with a = 0,
    /// a 180° rotation.
    /// </summary>
    public static double[,] FromQuaternion(
        (double B, double C, double D) quaternion, (double X, double Y, double Z) offset, (double X, double Y, double Z) spacing,
        double qfac)
    {
        var (b, c, d) = quaternion;
        var a = 1 - (b * b + c * c + d * d);
        if (a < 1e-7)
        {
            var norm = 1 / Math.Sqrt(b * b + c * c + d * d);
            (a, b, c, d) = (0, b * norm, c * norm, d * norm);
        }
        else
        {
            a = Math.Sqrt(a);
        }

        var dx = spacing.X > 0 ? spacing.X : 1;
        var dy = spacing.Y > 0 ? spacing.Y : 1;
        var dz = (spacing.Z > 0 ? spacing.Z : 1) * (qfac < 0 ? -1 : 1);
        return new double[,]
        {
            { (a * a + b * b - c * c - d * d) * dx, 2 * (b * c - a * d) * dy, 2 * (b * d + a * c) * dz, offset.X },
            { 2 * (b * c + a * d) * dx, (a * a + c * c - b * b - d * d) * dy, 2 * (c * d - a * b) * dz, offset.Y },
            { 2 * (b * d - a * c) * dx, 2 * (c * d + a * b) * dy, (a * a + d * d - c * c - b * b) * dz, offset.Z },
            { 0, 0, 0, 1 },
        };
    }
}
