import Inventory2Icon from '@mui/icons-material/Inventory2';
import { ProductCreate, ProductEdit } from './ProductForms';
import { ProductList } from './ProductList';

export default {
    list: ProductList,
    create: ProductCreate,
    edit: ProductEdit,
    icon: Inventory2Icon,
    recordRepresentation: 'name',
};
