// Your project is the unetr tool for the networks it declares (Networks.cs), and for the presets:
//
//   dotnet run -c Release --project samples/MyUnetrTool -- summary SmallPatchUnetr
//   dotnet run -c Release --project samples/MyUnetrTool -- train --model SmallPatchUnetr --steps 200
//   dotnet run -c Release --project samples/MyUnetrTool -- evaluate --model SmallPatchUnetr --weights runs/train/best.safetensors
//   dotnet run -c Release --project samples/MyUnetrTool -- train --model SmallPatchUnetr.ResidualFalse --steps 200   (a sweep variant)
//   dotnet run -c Release --project samples/MyUnetrTool -- ablate --quick   (the baseline and its sweep variants, each job in a process of its own)
using Unetr.CommandLine;
using Unetr.Model.Runtime;

// Before anything loads libtorch, as the unetr tool does (OpenMP's passive wait, a C heap that keeps freed pages).
UnetrRuntime.Configure();
return UnetrCommandLine.Run(args, typeof(Program).Assembly);
