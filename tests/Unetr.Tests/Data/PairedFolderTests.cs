using System;
using System.IO;
using System.Linq;
using Unetr.Model.Data.Sources;
using Unetr.Tests.Nifti;
using Xunit;

namespace Unetr.Tests.Data;

public sealed class PairedFolderTests : IDisposable
{
    private readonly TemporaryDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Pairs_decathlon_folders_by_file_name_skipping_dot_files_and_other_files()
    {
        Touch("imagesTr/b.nii.gz", "imagesTr/a.nii", "labelsTr/a.nii", "labelsTr/b.nii.gz", "imagesTr/._a.nii", "labelsTr/notes.txt", "imagesTs/t.nii.gz");

        var description = PairedFolder.Read(_folder.Path);

        Assert.Equal(
            new[] { (_folder.File("imagesTr/a.nii"), _folder.File("labelsTr/a.nii")), (_folder.File("imagesTr/b.nii.gz"), _folder.File("labelsTr/b.nii.gz")) },
            description.Training.Select(v => (v.ImagePaths.Single(), v.LabelPath)));
        Assert.Equal(_folder.File("imagesTs/t.nii.gz"), description.Test.Single().Single());
        Assert.Null(description.ClassNames);
        Assert.Null(description.Validation);
    }

    [Fact]
    public void Pairs_plain_images_and_labels_folders()
    {
        Touch("images/x.nii.gz", "labels/x.nii.gz");

        var description = PairedFolder.Read(_folder.Path);

        Assert.Equal(_folder.File("labels/x.nii.gz"), description.Training.Single().LabelPath);
    }

    [Fact]
    public void Unmatched_files_are_listed_from_both_sides()
    {
        Touch("imagesTr/a.nii.gz", "imagesTr/b.nii.gz", "imagesTr/c.nii.gz", "labelsTr/a.nii.gz", "labelsTr/x.nii.gz");

        var error = Assert.Throws<DatasetException>(() => PairedFolder.Read(_folder.Path));

        Assert.Equal(
            $"{_folder.Path}: images and labels are paired by file name, but 2 in imagesTr/ have no partner: b.nii.gz, c.nii.gz; 1 in labelsTr/ have no partner: x.nii.gz.",
            error.Message);
    }

    [Fact]
    public void Folder_without_a_known_layout_names_what_it_found()
    {
        Touch("scans/a.nii.gz");

        var error = Assert.Throws<DatasetException>(() => PairedFolder.Read(_folder.Path));

        Assert.Equal($"{_folder.Path}: expected a dataset.json or the subfolders imagesTr/ + labelsTr/ or images/ + labels/; found scans/.", error.Message);
    }

    [Fact]
    public void Missing_partner_folder_is_named()
    {
        Touch("imagesTr/a.nii.gz");

        var error = Assert.Throws<DatasetException>(() => PairedFolder.Read(_folder.Path));

        Assert.Equal($"{_folder.Path}: labelsTr/ is missing beside its partner folder (found imagesTr/).", error.Message);
    }

    [Fact]
    public void Folders_without_nifti_files_are_refused()
    {
        Directory.CreateDirectory(_folder.File("images"));
        Directory.CreateDirectory(_folder.File("labels"));

        var error = Assert.Throws<DatasetException>(() => PairedFolder.Read(_folder.Path));

        Assert.Equal($"{_folder.Path}: images/ and labels/ hold no .nii or .nii.gz files.", error.Message);
    }

    private void Touch(params string[] names)
    {
        foreach (var name in names)
        {
            NiftiVolumes.WriteText(_folder.File(name), string.Empty);
        }
    }
}
