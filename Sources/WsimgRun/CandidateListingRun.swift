import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

extension GenerateCommand {
    /// The worksheet's candidates, as the next run would see them (no key needed, nothing sent).
    package func candidateListing() throws -> CandidateListing {
        let layout = resolveLayout()
        let worksheet = try readWorksheet(layout.input)
        let (provider, _) = try makeProvider(planning: true)
        let redo = try RedoSelection(worksheet: worksheet, folders: layout.choiceFolders, ids: [], options: options.requestOptions)
        return candidateListing(worksheet, layout: layout, provider: provider, redo: redo)
    }

    package func candidateListing(_ worksheet: Worksheet, layout: Layout, provider: any ImageProvider, redo: RedoSelection) -> CandidateListing {
        let plan = GenerationPlan(
            worksheet: worksheet, provider: provider, options: redo.apply(to: options.requestOptions), store: layout.store,
            force: false, inputFolder: layout.inputFolder, pictureFolders: layout.choiceFolders)
        return CandidateListing(plan: plan, manifest: redo.manifest, store: layout.store, linksFrom: layout.inputFolder, folders: layout.choiceFolders)
    }
}
